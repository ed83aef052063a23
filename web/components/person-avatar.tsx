import { Avatar, type AvatarProps } from '@mantine/core'

/**
 * A person's picture, or their initials without one. Decorative unless given an `alt`: their name is
 * written beside it wherever it appears.
 */
export function PersonAvatar({
  name,
  image,
  alt = '',
  ...props
}: { name: string; image: string | null | undefined; alt?: string } & Omit<
  AvatarProps,
  'src' | 'name' | 'alt'
>) {
  // Filled in the app's green: white initials keep AA contrast, whatever the name. A decorative one is
  // hidden from assistive technology, so that the initials do not join the name beside them.
  return (
    <Avatar
      src={image ?? null}
      alt={alt}
      aria-hidden={alt === '' ? true : undefined}
      name={name}
      variant="filled"
      color="sillon"
      {...props}
    />
  )
}
