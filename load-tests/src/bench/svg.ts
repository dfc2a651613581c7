/** A small line chart (latency against offered rate, both axes log-scaled) as standalone SVG. */

export interface Series {
  label: string;
  color: string;
  /** [x, y] points; y may be NaN (skipped). */
  points: Array<[number, number]>;
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Horizontal reference line (e.g. the 100 ms p99 target). */
  guide?: { y: number; label: string };
  width?: number;
  height?: number;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function logLogChart(options: ChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 440;
  const margin = { left: 70, right: 190, top: 40, bottom: 50 };
  const points = options.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  const ys = points.map(([, y]) => y).concat(options.guide ? [options.guide.y] : []);
  const xs = points.map(([x]) => x);
  const decade = (v: number, up: boolean) =>
    10 ** (up ? Math.ceil(Math.log10(v)) : Math.floor(Math.log10(v)));
  const [x0, x1] = [decade(Math.min(...xs), false), decade(Math.max(...xs), true)];
  const [y0, y1] = [decade(Math.min(...ys), false), decade(Math.max(...ys), true)];
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x: number) =>
    margin.left + ((Math.log10(x) - Math.log10(x0)) / Math.log10(x1 / x0)) * plotW;
  const sy = (y: number) =>
    margin.top + plotH - ((Math.log10(y) - Math.log10(y0)) / Math.log10(y1 / y0)) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2 - margin.right / 2}" y="22" text-anchor="middle" font-size="14">${escape(options.title)}</text>`,
  );
  for (let d = x0; d <= x1; d *= 10) {
    for (const m of [1, 2, 5]) {
      const x = d * m;
      if (x < x0 || x > x1) continue;
      parts.push(
        `<line x1="${sx(x)}" y1="${margin.top}" x2="${sx(x)}" y2="${margin.top + plotH}" stroke="#ddd"/>`,
        `<text x="${sx(x)}" y="${margin.top + plotH + 16}" text-anchor="middle">${x}</text>`,
      );
    }
  }
  for (let d = y0; d <= y1; d *= 10) {
    for (const m of [1, 2, 5]) {
      const y = d * m;
      if (y < y0 || y > y1) continue;
      parts.push(
        `<line x1="${margin.left}" y1="${sy(y)}" x2="${margin.left + plotW}" y2="${sy(y)}" stroke="#ddd"/>`,
        `<text x="${margin.left - 6}" y="${sy(y) + 4}" text-anchor="end">${Number(y.toPrecision(3))}</text>`,
      );
    }
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escape(options.xLabel)}</text>`,
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`,
  );
  if (options.guide) {
    const y = sy(options.guide.y);
    parts.push(
      `<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#c00" stroke-dasharray="2 3"/>`,
      `<text x="${margin.left + plotW - 4}" y="${y - 4}" text-anchor="end" fill="#c00">${escape(options.guide.label)}</text>`,
    );
  }
  options.series.forEach((series, i) => {
    const valid = series.points.filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y));
    const path = valid
      .map(([x, y], k) => `${k ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`)
      .join(' ');
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of valid) {
      parts.push(
        `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${series.color}"/>`,
      );
    }
    const ly = margin.top + 10 + i * 18;
    const lx = margin.left + plotW + 14;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${series.color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${escape(series.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
