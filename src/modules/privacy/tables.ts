/** A school's retention of former members' personal data: days after they left, or null to keep it. */
type PrivacySettingsRow = {
  org_id: string
  retention_days: number | null
  updated_at: string
}

/** When the retention job first saw a person gone from the school (no membership, a profile left). */
type DepartureRow = {
  org_id: string
  user_id: string
  left_at: string
}

export type PrivacyTables = {
  privacy_settings: PrivacySettingsRow
  privacy_departures: DepartureRow
}
