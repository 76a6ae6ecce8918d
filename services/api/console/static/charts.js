// Count rows (the api's JSON) -> one uPlot chart with a series per key; shared by console and open data.
window.roadcamCharts = {
  series(rows, keyOf) {
    const times = [...new Set(rows.map((r) => Date.parse(r.bin_start) / 1000))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const byKey = new Map();
    for (const r of rows) {
      const key = keyOf(r);
      if (!byKey.has(key)) byKey.set(key, new Array(times.length).fill(0));
      byKey.get(key)[index.get(Date.parse(r.bin_start) / 1000)] += r.count;
    }
    return {times, byKey};
  },
  draw(el, times, byKey, unit) {
    el.innerHTML = '';
    if (!times.length) { el.textContent = el.dataset.empty || ''; el.dataset.points = '0'; return null; }
    const colors = ['#0b5cab', '#d9480f', '#2b8a3e', '#7048e8', '#c2255c', '#1098ad', '#5c940d', '#495057'];
    const series = [{}];
    [...byKey.keys()].forEach((k, i) => series.push({label: k, stroke: colors[i % colors.length], width: 2}));
    const width = Math.max(320, el.clientWidth || 800);
    const plot = new uPlot({width, height: 260, series, axes: [{}, {label: unit || ''}]}, [times, ...byKey.values()], el);
    el.dataset.points = String(times.length);
    return plot;
  },
};
