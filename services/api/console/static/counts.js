// Console counts chart: one series per line, direction and census class; bins the camera could not
// see well are shaded in the chart and listed below it.
(function () {
  const el = document.getElementById('counts-chart');
  if (!el) return;
  const labels = JSON.parse(document.getElementById('census-labels').textContent);
  const quality = JSON.parse(document.getElementById('quality-labels').textContent);
  fetch(el.dataset.src, {credentials: 'same-origin'}).then((r) => r.json()).then((body) => {
    const counted = body.rows.filter((r) => r.census_class || r.object_class);  // not the "not seen" rows
    const {times, byKey} = roadcamCharts.series(counted,
      (r) => `${r.line_id} ${r.direction_name} ${labels[r.census_class] || r.census_class}`);
    const flags = roadcamCharts.flagged(body.rows);
    const all = [...new Set([...times, ...flags.map((f) => f.t)])].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const series = new Map([...byKey].map(([k, v]) => [k, all.map((t) => (index.has(t) ? v[index.get(t)] : 0))]));
    roadcamCharts.draw(el, all, series, '', flags);
    el.dataset.loaded = String(body.rows.length);
    listFlags(flags);
  }).catch((e) => { el.textContent = String(e); });

  function listFlags(flags) {
    const table = document.getElementById('flagged-bins');
    if (!table) return;
    const body = table.querySelector('tbody');
    body.replaceChildren();
    for (const f of flags) {
      const tr = document.createElement('tr');
      tr.className = `flag ${f.quality}`;
      const reasons = [...f.reasons].map((x) => quality[x] || x).join('、');
      for (const text of [f.bin_start.replace('T', ' ').slice(0, 16), quality[f.quality] || f.quality, reasons]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      body.append(tr);
    }
    if (!flags.length) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = 3;
      td.textContent = table.dataset.none;
      tr.append(td);
      body.append(tr);
    }
    table.dataset.flagged = String(flags.length);
  }
})();

// Queue length and speed: the server sends {times, series}; one line per lane or per line and class.
for (const el of document.querySelectorAll('.series-chart[data-src]')) {
  fetch(el.dataset.src, {credentials: 'same-origin'}).then((r) => r.json()).then((body) => {
    roadcamCharts.draw(el, body.times, new Map(Object.entries(body.series)), el.dataset.unit);
    el.dataset.loaded = String(body.times.length);
  }).catch((e) => { el.textContent = String(e); });
}
