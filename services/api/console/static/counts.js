// Console counts chart: one series per line, direction and census class.
(function () {
  const el = document.getElementById('counts-chart');
  if (!el) return;
  const labels = JSON.parse(document.getElementById('census-labels').textContent);
  fetch(el.dataset.src, {credentials: 'same-origin'}).then((r) => r.json()).then((body) => {
    const {times, byKey} = roadcamCharts.series(body.rows,
      (r) => `${r.line_id} ${r.direction_name} ${labels[r.census_class] || r.census_class}`);
    roadcamCharts.draw(el, times, byKey);
    el.dataset.loaded = String(body.rows.length);
  }).catch((e) => { el.textContent = String(e); });
})();

// Queue length and speed: the server sends {times, series}; one line per lane or per line and class.
for (const el of document.querySelectorAll('.series-chart[data-src]')) {
  fetch(el.dataset.src, {credentials: 'same-origin'}).then((r) => r.json()).then((body) => {
    roadcamCharts.draw(el, body.times, new Map(Object.entries(body.series)), el.dataset.unit);
    el.dataset.loaded = String(body.times.length);
  }).catch((e) => { el.textContent = String(e); });
}
