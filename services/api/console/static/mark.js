// Mark the requester of a self-disclosure export: show a frame of the clip, drag a box around the
// person; the box is written into the form in the clip's own pixels (the server checks it fits).
(function () {
  for (const field of document.querySelectorAll('fieldset.mark')) {
    const canvas = field.querySelector('.mark-canvas');
    const frameInput = field.querySelector('.mark-frame');
    const boxInput = field.querySelector('.mark-box');
    const count = field.querySelector('.mark-count');
    const ctx = canvas.getContext('2d');
    const image = new Image();
    let start = null;

    function scale() { return image.naturalWidth ? image.naturalWidth / canvas.width : 1; }
    function box() {
      const v = boxInput.value.split(',').map(Number);
      return v.length === 4 && v.every(Number.isFinite) ? v : null;
    }
    function redraw(live) {
      ctx.fillStyle = '#444';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      if (image.complete && image.naturalWidth) ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
      const b = live || (box() && box().map((v) => v / scale()));
      if (!b) return;
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#fc0';
      ctx.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
    }
    function point(event) {
      const r = canvas.getBoundingClientRect();
      return [(event.clientX - r.left) * canvas.width / r.width, (event.clientY - r.top) * canvas.height / r.height];
    }
    function corners(a, b) {
      return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
    }
    image.addEventListener('load', () => {
      canvas.width = Math.min(960, image.naturalWidth);
      canvas.height = Math.round(canvas.width * image.naturalHeight / image.naturalWidth);
      canvas.dataset.natural = `${image.naturalWidth}x${image.naturalHeight}`;
      redraw();
    });
    field.querySelector('.mark-load').addEventListener('click', async () => {
      const response = await fetch(`${field.dataset.still}?frame=${Number(frameInput.value) || 0}`,
                                   {credentials: 'same-origin', cache: 'no-store'});
      if (!response.ok) {
        count.textContent = (await response.text()).slice(0, 300);
        return;
      }
      const frames = response.headers.get('X-Frame-Count');
      count.textContent = frames ? field.dataset.framesText.replace('{n}', frames) : '';
      frameInput.max = frames ? Number(frames) - 1 : '';
      image.src = URL.createObjectURL(await response.blob());
    });
    canvas.addEventListener('mousedown', (event) => { start = point(event); });
    canvas.addEventListener('mousemove', (event) => { if (start) redraw(corners(start, point(event))); });
    canvas.addEventListener('mouseup', (event) => {
      if (!start) return;
      const b = corners(start, point(event)).map((v) => Math.round(v * scale()));
      start = null;
      if (b[2] - b[0] >= 2 && b[3] - b[1] >= 2) boxInput.value = b.join(',');
      redraw();
    });
    boxInput.addEventListener('input', () => redraw());
  }
})();
