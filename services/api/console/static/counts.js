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
