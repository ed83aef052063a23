// Levels from total XP: level L starts at 50·L·(L−1) XP (0, 100, 300, 600, 1000...), so each level asks
// 100 XP more than the one before: early levels come fast, later ones mean steady work.

export type Level = { level: number; xp: number; level_start_xp: number; next_level_xp: number }

const startOf = (level: number) => 50 * level * (level - 1)

export function levelOf(xp: number): Level {
  const total = Math.max(0, Math.floor(xp))
  // Largest L with 50·L·(L−1) ≤ xp, from the quadratic formula, corrected for rounding.
  let level = Math.max(1, Math.floor((1 + Math.sqrt(1 + total / 12.5)) / 2))
  while (startOf(level + 1) <= total) level += 1
  while (level > 1 && startOf(level) > total) level -= 1
  return { level, xp: total, level_start_xp: startOf(level), next_level_xp: startOf(level + 1) }
}
