// Open data page: hourly counts per census class for one camera, as a chart and a table.
(function () {
  const labels = JSON.parse(document.getElementById('od-labels').textContent);
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
    const {times, byKey} = roadcamCharts.series(rows, (r) => labels[r.census_class] || r.census_class);
    roadcamCharts.draw(chart, times, byKey);
    const keys = [...byKey.keys()];
    table.tHead.innerHTML = '<tr><th></th>' + keys.map((k) => `<th class="num"></th>`).join('') + '</tr>';
    keys.forEach((k, i) => { table.tHead.rows[0].cells[i + 1].textContent = k; });
    table.tBodies[0].innerHTML = '';
    times.forEach((t, i) => {
      const tr = table.tBodies[0].insertRow();
      tr.insertCell().textContent = new Date(t * 1000).toLocaleString(document.documentElement.lang);
      for (const k of keys) { const c = tr.insertCell(); c.className = 'num'; c.textContent = byKey.get(k)[i]; }
    });
    chart.dataset.loaded = String(rows.length);
  }
  select.addEventListener('change', load);
  load().catch((e) => { chart.textContent = String(e); });
})();
