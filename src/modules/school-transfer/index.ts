// Moving a school to another Sillon instance: the owners' download of the whole school. The archive itself
// is Node code (files, tar), behind this port; `sillon school export|import` use the same code.

/**
 * Writes a school archive and hands it back as a stream to send (its temporary file goes when it ends),
 * with its size and the school's slug, to name the download.
 */
export type SchoolArchivePort = {
  write(orgId: string): Promise<{ body: ReadableStream<Uint8Array>; size: number; slug: string }>
}
