import io

import av
import numpy as np

from services.anonymizer.hls import LivePlaylist, PlaylistState, SegmentEncoder


def test_segments_are_decodable_h264_with_continuous_time():
    enc = SegmentEncoder(fps=10, segment_seconds=1.0)
    segments = [s for i in range(25) if (s := enc.add(np.full((360, 640, 3), i * 8, np.uint8)))]
    assert len(segments) == 2 and all(d == 1.0 for _, d in segments)
    starts = []
    for data, _ in segments:
        with av.open(io.BytesIO(data), format="mpegts") as c:
            assert [s.type for s in c.streams] == ["video"]  # no audio
            frames = list(c.decode(video=0))
            assert c.streams.video[0].codec_context.name == "h264"
        assert len(frames) == 10 and frames[0].key_frame
        assert (frames[0].width, frames[0].height) == (640, 360)
        starts.append(float(frames[0].time))
    assert abs(starts[1] - starts[0] - 1.0) < 0.05


def test_playlist_slides_and_counts_discontinuities():
    pl = LivePlaylist(PlaylistState(), window=3, target_seconds=2.0)
    for i in range(3):
        pl.append(f"seg-{i}.ts", 2.0, discontinuity=(i == 0))
    pl.append("seg-3.ts", 2.0, discontinuity=True)  # a second replica took over
    text = pl.render()
    assert "#EXT-X-MEDIA-SEQUENCE:1" in text
    assert "#EXT-X-DISCONTINUITY-SEQUENCE:0" in text
    assert text.count("#EXT-X-DISCONTINUITY\n") == 1 and "seg-0.ts" not in text
    assert pl.removed == ["seg-0.ts"]
    for i in range(4, 7):
        pl.append(f"seg-{i}.ts", 2.0, discontinuity=False)
    text = pl.render()
    assert "#EXT-X-MEDIA-SEQUENCE:4" in text and "#EXT-X-DISCONTINUITY-SEQUENCE:1" in text
    assert "#EXT-X-DISCONTINUITY\n" not in text and "#EXT-X-TARGETDURATION:2" in text


def test_state_round_trips_through_json():
    state = PlaylistState(next_sequence=7, owner="a")
    assert PlaylistState.model_validate_json(state.model_dump_json()) == state
