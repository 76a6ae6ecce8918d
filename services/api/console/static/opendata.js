// Open data page: hourly counts per census class for one camera, as a chart and a table.
(function () {
  const labels = JSON.parse(document.getElementById('od-labels').textContent);
  const quality = JSON.parse((document.getElementById('od-quality') || {}).textContent || '{}');
  const select = document.getElementById('od-camera');
  const chart = document.getElementById('od-chart');
  const table = document.getElementById('od-table');
  if (!select || !select.value) return;
  async function load() {
    const q = `camera=${encodeURIComponent(select.value)}&bin=60`;
    document.getElementById('od-csv').href = `/api/v1/open-data/counts?${q}&format=csv&bom=true`;
    document.getElementById('od-json').href = `/api/v1/open-data/counts?${q}`;
    const body = await (await fetch(`/api/v1/open-data/counts?${q}`)).json();
    const rows = body.rows || [];
    // Hours the camera could not see well are shaded and named: never read them as empty roads.
    const flags = roadcamCharts.flagged(rows);
    const flagAt = new Map(flags.map((f) => [f.t, f]));
    const counted = roadcamCharts.series(rows.filter((r) => r.census_class), (r) => labels[r.census_class] || r.census_class);
    const times = [...new Set([...counted.times, ...flagAt.keys()])].sort((a, b) => a - b);
    const at = new Map(counted.times.map((t, i) => [t, i]));
    const byKey = new Map([...counted.byKey].map(([k, v]) => [k, times.map((t) => (at.has(t) ? v[at.get(t)] : 0))]));
    roadcamCharts.draw(chart, times, byKey, '', flags);
    const keys = [...byKey.keys()];
    table.tHead.innerHTML = '<tr><th></th>' + keys.map((k) => `<th class="num"></th>`).join('') + '<th></th></tr>';
    keys.forEach((k, i) => { table.tHead.rows[0].cells[i + 1].textContent = k; });
    table.tHead.rows[0].cells[keys.length + 1].textContent = table.dataset.quality || 'quality';
    table.tBodies[0].innerHTML = '';
    times.forEach((t, i) => {
      const tr = table.tBodies[0].insertRow();
      // The installation's zone, as the chart's axis: a visitor's own zone would shift the table against it.
      tr.insertCell().textContent = new Date(t * 1000).toLocaleString(document.documentElement.lang,
        {timeZone: document.body.dataset.tz || 'Asia/Tokyo', hourCycle: 'h23'});
      for (const k of keys) { const c = tr.insertCell(); c.className = 'num'; c.textContent = byKey.get(k)[i]; }
      const f = flagAt.get(t);
      tr.insertCell().textContent = f ? [quality[f.quality] || f.quality, ...[...f.reasons].map((x) => quality[x] || x)].join(' ') : '';
      if (f) tr.className = `flag ${f.quality}`;
    });
    chart.dataset.loaded = String(rows.length);
  }
  select.addEventListener('change', load);
  load().catch((e) => { chart.textContent = String(e); });
})();
