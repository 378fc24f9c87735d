// A grouped bar chart in inline SVG: one group per label, one bar per series, with a legend and a
// title for each bar (the numbers stay readable without the picture, in the table beside it).
const COLORS = ['#0b57b5', '#196b2c', '#a4161a', '#8a5a00', '#5b3fa0', '#00707a'];

export function BarChart({ labels, series, title }) {
  const width = 640;
  const height = 220;
  const pad = { left: 40, right: 10, top: 10, bottom: 40 };
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const groupWidth = (width - pad.left - pad.right) / Math.max(1, labels.length);
  const barWidth = Math.max(2, (groupWidth * 0.8) / Math.max(1, series.length));
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <line x1={pad.left} y1={y(0)} x2={width - pad.right} y2={y(0)} stroke="#4a5263" />
        <text x={pad.left - 6} y={y(max) + 4} text-anchor="end" font-size="11" fill="#4a5263">
          {max}
        </text>
        <text x={pad.left - 6} y={y(0)} text-anchor="end" font-size="11" fill="#4a5263">
          0
        </text>
        {labels.map((label, i) => (
          <g key={label}>
            {series.map((s, j) => (
              <rect
                key={s.name}
                x={pad.left + i * groupWidth + groupWidth * 0.1 + j * barWidth}
                y={y(s.values[i])}
                width={barWidth - 1}
                height={y(0) - y(s.values[i])}
                fill={COLORS[j % COLORS.length]}
              >
                <title>{`${label} ${s.name}: ${s.values[i]}`}</title>
              </rect>
            ))}
            <text x={pad.left + i * groupWidth + groupWidth / 2} y={height - pad.bottom + 16} text-anchor="middle" font-size="11" fill="#1d2330">
              {label.slice(5)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption class="legend">
        {series.map((s, j) => (
          <span key={s.name}>
            <i style={`background:${COLORS[j % COLORS.length]}`} aria-hidden="true" /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

// One series over time as an SVG area: the peak and the range's ends labelled, each point a
// title with its time and value. `points`: [{ label, value }], oldest first.
export function SeriesChart({ points, title, unit }) {
  const width = 320;
  const height = 120;
  const pad = { left: 30, right: 6, top: 8, bottom: 20 };
  const max = Math.max(1, ...points.map((p) => p.value));
  const step = (width - pad.left - pad.right) / Math.max(1, points.length);
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
      <line x1={pad.left} y1={y(0)} x2={width - pad.right} y2={y(0)} stroke="#4a5263" />
      <text x={pad.left - 4} y={y(max) + 4} text-anchor="end" font-size="10" fill="#4a5263">
        {Math.round(max * 100) / 100}
      </text>
      <text x={pad.left - 4} y={y(0)} text-anchor="end" font-size="10" fill="#4a5263">
        0
      </text>
      {points.map((p, i) =>
        p.value > 0 ? (
          <rect key={p.label} x={pad.left + i * step} y={y(p.value)} width={Math.max(1, step)} height={y(0) - y(p.value)} fill={COLORS[0]}>
            <title>{`${p.label} ${p.value} ${unit}`}</title>
          </rect>
        ) : null,
      )}
      {first && (
        <text x={pad.left} y={height - 4} font-size="10" fill="#1d2330">
          {first.label.slice(5)}
        </text>
      )}
      {last && (
        <text x={width - pad.right} y={height - 4} text-anchor="end" font-size="10" fill="#1d2330">
          {last.label.slice(5)}
        </text>
      )}
    </svg>
  );
}
