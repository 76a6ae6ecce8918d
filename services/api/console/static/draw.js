// Draw counting lines and privacy masks on a still of the anonymized view; the shapes are written
// into the camera document in the editor (pixels of the camera's frame_size), which the server validates.
(function () {
  const canvas = document.getElementById('draw');
  const editor = document.getElementById('editor');
  if (!canvas || !editor) return;
  const ctx = canvas.getContext('2d');
  const image = new Image();
  let tool = null;
  let points = [];

  function camera() { try { return JSON.parse(editor.value); } catch (e) { return null; } }
  function frameSize(cam) {
    if (!cam.frame_size) cam.frame_size = [canvas.width, canvas.height];
    return cam.frame_size;
  }
  function toFrame(cam, x, y) {
    const [w, h] = frameSize(cam);
    return [Math.round(x * w / canvas.width), Math.round(y * h / canvas.height)];
  }
  function toCanvas(cam, p) {
    const [w, h] = cam.frame_size || [canvas.width, canvas.height];
    return [p[0] * canvas.width / w, p[1] * canvas.height / h];
  }
  function redraw() {
    ctx.fillStyle = '#444';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (image.complete && image.naturalWidth) ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    const cam = camera();
    if (!cam) return;
    ctx.lineWidth = 3;
    for (const m of cam.privacy_masks || []) {
      ctx.beginPath();
      m.polygon.map((p) => toCanvas(cam, p)).forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.closePath();
      ctx.fillStyle = 'rgba(179,38,30,0.45)';
      ctx.fill();
    }
    for (const l of cam.counting_lines || []) {
      const [a, b] = [toCanvas(cam, l.start), toCanvas(cam, l.end)];
      ctx.strokeStyle = '#3cf';
      ctx.beginPath(); ctx.moveTo(...a); ctx.lineTo(...b); ctx.stroke();
      ctx.fillStyle = '#fff';
      ctx.font = '14px sans-serif';
      ctx.fillText(l.id, a[0] + 4, a[1] - 6);
    }
    ctx.fillStyle = '#fc0';
    for (const [x, y] of points) { ctx.beginPath(); ctx.arc(x, y, 4, 0, 7); ctx.fill(); }
  }
  function write(cam) { editor.value = JSON.stringify(cam, null, 2); redraw(); }
  function select(name) {
    tool = name; points = [];
    for (const b of document.querySelectorAll('.tool')) b.classList.toggle('active', b.id === `tool-${name}`);
    redraw();
  }
  function finishMask() {
    const cam = camera();
    if (!cam || points.length < 3) return;
    cam.privacy_masks = cam.privacy_masks || [];
    cam.privacy_masks.push({name: document.getElementById('new-mask').value,
                            polygon: points.map(([x, y]) => toFrame(cam, x, y))});
    points = [];
    write(cam);
  }
  canvas.addEventListener('click', (event) => {
    if (!tool) return;
    const box = canvas.getBoundingClientRect();
    points.push([(event.clientX - box.left) * canvas.width / box.width,
                 (event.clientY - box.top) * canvas.height / box.height]);
    const cam = camera();
    if (tool === 'line' && points.length === 2 && cam) {
      cam.counting_lines = cam.counting_lines || [];
      cam.counting_lines.push({id: document.getElementById('new-line-id').value,
        start: toFrame(cam, ...points[0]), end: toFrame(cam, ...points[1]),
        pos_name: document.getElementById('new-pos').value, neg_name: document.getElementById('new-neg').value});
      points = [];
      write(cam);
      return;
    }
    redraw();
  });
  document.getElementById('tool-line').addEventListener('click', () => select('line'));
  document.getElementById('tool-mask').addEventListener('click', () => select('mask'));
  document.getElementById('tool-done').addEventListener('click', () => { if (tool === 'mask') finishMask(); select(null); });
  editor.addEventListener('input', redraw);
  image.onload = () => { canvas.width = image.naturalWidth; canvas.height = image.naturalHeight; redraw(); canvas.dataset.snapshot = 'loaded'; };
  image.onerror = () => { const cam = camera() || {}; const [w, h] = cam.frame_size || [640, 360];
    canvas.width = w; canvas.height = h; redraw(); canvas.dataset.snapshot = 'missing'; };
  image.src = canvas.dataset.snapshot;
})();
