/**
 * Line icons drawn here, not emoji: emoji depend on the reader's fonts (a machine without an
 * emoji font shows empty boxes). Decorative: the text beside each says what it means.
 */
const PATHS = {
  home: ['M3 11 12 3l9 8', 'M5 10v11h5v-6h4v6h5V10'],
  search: ['M10.5 4a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13', 'M15.5 15.5 21 21'],
  bell: ['M6 16v-5a6 6 0 0 1 12 0v5l2 2H4z', 'M10 20a2 2 0 0 0 4 0'],
  person: ['M12 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8', 'M4 21a8 8 0 0 1 16 0'],
  reply: ['M10 7 4 12l6 5', 'M4 12h10a6 6 0 0 1 6 6v1'],
  bookmark: ['M6 3h12v18l-6-5-6 5z'],
  pencil: ['M4 20l1-4L16 5l3 3L8 19z', 'M14 7l3 3'],
} as const;

export type IconName = keyof typeof PATHS;

/** `filled`: the shape filled in, for a pressed toggle (a bookmarked post). */
export function Icon({
  name,
  class: className,
  filled = false,
}: {
  name: IconName;
  class?: string;
  filled?: boolean;
}) {
  return (
    <svg
      class={className ? `icon ${className}` : 'icon'}
      viewBox="0 0 24 24"
      width="1.2em"
      height="1.2em"
      fill={filled ? 'currentColor' : 'none'}
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {PATHS[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
