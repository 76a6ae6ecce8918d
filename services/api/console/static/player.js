// The one player of a public camera page: hls.js where supported, native HLS (Safari) otherwise.
for (const video of document.querySelectorAll('video[data-src]')) {
  const src = video.dataset.src;
  const note = document.getElementById('paused-note');
  if (window.Hls && Hls.isSupported()) {
    const hls = new Hls({liveSyncDurationCount: 2, enableWorker: true});
    hls.loadSource(src);
    hls.attachMedia(video);
    hls.on(Hls.Events.ERROR, (e, d) => {
      if (d.fatal) { if (note) note.hidden = false; setTimeout(() => hls.loadSource(src), 3000); }
    });
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = src;
  }
  video.muted = true;
  video.play().catch(() => {});
}
