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
  // Bins whose quality is not "ok", one per bin start: {t, seconds, quality, reasons}; the worst wins.
  flagged(rows) {
    const rank = {degraded: 1, unusable: 2};
    const byStart = new Map();
    for (const r of rows) {
      if (!rank[r.quality]) continue;
      const t = Date.parse(r.bin_start) / 1000;
      const seen = byStart.get(t) || {t, bin_start: r.bin_start, seconds: r.bin_minutes * 60, quality: r.quality, reasons: new Set()};
      if (rank[r.quality] > rank[seen.quality]) seen.quality = r.quality;
      (r.quality_reason || '').split(',').filter(Boolean).forEach((x) => seen.reasons.add(x));
      byStart.set(t, seen);
    }
    return [...byStart.values()].sort((a, b) => a.t - b.t);
  },
  // A uPlot hook that shades flagged bins behind the lines (never read them as empty roads).
  shade(flags) {
    return (u) => {
      const {ctx} = u, {left, top, width, height} = u.bbox;
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, width, height);
      ctx.clip();
      for (const f of flags) {
        const x0 = u.valToPos(f.t, 'x', true), x1 = u.valToPos(f.t + f.seconds, 'x', true);
        ctx.fillStyle = f.quality === 'unusable' ? 'rgba(201,42,42,0.25)' : 'rgba(245,159,0,0.25)';
        ctx.fillRect(x0, top, Math.max(x1 - x0, 3), height);
      }
      ctx.restore();
    };
  },
  draw(el, times, byKey, unit, flags) {
    el.innerHTML = '';
    if (!times.length) { el.textContent = el.dataset.empty || ''; el.dataset.points = '0'; return null; }
    const colors = ['#0b5cab', '#d9480f', '#2b8a3e', '#7048e8', '#c2255c', '#1098ad', '#5c940d', '#495057'];
    const series = [{}];
    // A lone bin is a point, not a line: drawn filled and larger so a first speed bin is seen at a glance.
    const dot = times.length < 3 ? 9 : 5;
    [...byKey.keys()].forEach((k, i) => {
      const colour = colors[i % colors.length];
      series.push({label: k, stroke: colour, width: 2, points: {size: dot, fill: colour}});
    });
    const width = Math.max(320, el.clientWidth || 800);
    const hooks = flags && flags.length ? {drawClear: [roadcamCharts.shade(flags)]} : {};
    // Times in the installation's zone (the page's data-tz, else Asia/Tokyo), 24-hour, in the page language.
    const zone = document.body.dataset.tz || 'Asia/Tokyo';
    // Seconds too when the data spans under 10 minutes (queue samples), or every tick reads the same minute.
    const short = times.length > 1 && times[times.length - 1] - times[0] < 600;
    const tick = new Intl.DateTimeFormat(document.documentElement.lang || 'ja', {timeZone: zone, hourCycle: 'h23',
      month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', ...(short ? {second: '2-digit'} : {})});
    const at = (t) => (t == null ? '-' : tick.format(new Date(t * 1000)));
    series[0] = {value: (u, t) => at(t)};
    const axes = [{values: (u, splits) => splits.map(at), size: 40, space: 90}, {label: unit || ''}];
    const plot = new uPlot({width, height: 260, series, hooks, axes},
      [times, ...byKey.values()], el);
    // One time alone (e.g. the first closed speed bin) stretches uPlot's axis over years: half an hour around it.
    if (times.length === 1) plot.setScale('x', {min: times[0] - 1800, max: times[0] + 1800});
    el.dataset.points = String(times.length);
    el.dataset.flagged = String((flags || []).length);
    return plot;
  },
};
