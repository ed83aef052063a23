import { MultiSelect, type MultiSelectProps } from '@mantine/core'
import { useState } from 'react'

/**
 * A MultiSelect whose list closes after each choice, so that it never stays open over the form's buttons
 * (save, cancel); clicking the field, typing or the arrow keys open it again for the next choice.
 */
export function MultiPicker({ onChange, onDropdownOpen, onDropdownClose, ...props }: MultiSelectProps) {
  const [opened, setOpened] = useState(false)
  return (
    <MultiSelect
      {...props}
      dropdownOpened={opened}
      onDropdownOpen={() => {
        setOpened(true)
        onDropdownOpen?.()
      }}
      onDropdownClose={() => {
        setOpened(false)
        onDropdownClose?.()
      }}
      onChange={(value) => {
        // Removing a pill leaves the list as it was; adding a choice closes it.
        if (value.length > (props.value?.length ?? 0)) setOpened(false)
        onChange?.(value)
      }}
    />
  )
}
