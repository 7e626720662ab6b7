/** Text from events or registries shown in a markdown table cell: no markup, no pipes, no newlines, no mentions. */
export function escapeCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_{}[\]()#+!|<>~&@]/g, (c) => `&#${c.charCodeAt(0)};`)
    .slice(0, 200);
}
