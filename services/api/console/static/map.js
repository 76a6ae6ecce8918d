// Camera locations on a Leaflet map. The markers and the list work without tiles (offline, blocked).
(function () {
  const el = document.getElementById('map');
  if (!el || !window.L) return;
  const map = L.map(el, {scrollWheelZoom: false});
  const tiles = L.tileLayer(el.dataset.tiles, {attribution: el.dataset.attribution, maxZoom: 18});
  tiles.on('tileerror', () => el.classList.add('no-tiles'));
  tiles.addTo(map);
  const points = [];
  for (const item of document.querySelectorAll('#map-cameras [data-lat]')) {
    const at = [parseFloat(item.dataset.lat), parseFloat(item.dataset.lon)];
    const link = document.createElement('a');
    link.href = item.dataset.href;
    link.textContent = item.dataset.name;
    L.circleMarker(at, {radius: 9, color: '#0b5cab', fillOpacity: 0.8}).addTo(map).bindPopup(link)
      .bindTooltip(item.dataset.name, {permanent: true, direction: 'right'});
    points.push(at);
  }
  if (points.length) map.fitBounds(points, {padding: [40, 40], maxZoom: 16});
  else map.setView([36.39, 139.06], 9);  // Maebashi: a sensible default for an empty map
  el.dataset.markers = String(points.length);
})();
