"""A test RTSP camera: serves MP4 files over RTSP without re-encoding (GStreamer RTSP server).

Runs under Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-rtsp-server-1.0), not the project's
interpreter. Usage:
    /usr/bin/python3 rtsp_server.py --port 8554 --mount /cam1=clip.mp4 [--auth user:password]
Each client gets its own pipeline; the file's H.264/H.265 is repacketized into RTP. For long
runs, tests loop a clip into a longer file first (ffmpeg -stream_loop N -c copy).
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def launch_line(path, codec):
    parse, pay = ("h265parse", "rtph265pay") if codec == "h265" else ("h264parse", "rtph264pay")
    return (
        f"( filesrc location={path} ! qtdemux ! {parse} config-interval=-1 ! "
        f"{pay} name=pay0 pt=96 config-interval=-1 )"
    )


class FileFactory(GstRtspServer.RTSPMediaFactory):
    def __init__(self, path, codec):
        super().__init__()
        self.set_launch(launch_line(path, codec))
        self.set_shared(False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mount", action="append", required=True, help="/name=file.mp4[:h265]")
    parser.add_argument("--auth", help="user:password required from clients")
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for spec in args.mount:
        name, _, target = spec.partition("=")
        path, _, codec = target.partition(":")
        factory = FileFactory(path, codec or "h264")
        if args.auth:
            permissions = GstRtspServer.RTSPPermissions()
            permissions.add_permission_for_role("user", "media.factory.access", True)
            permissions.add_permission_for_role("user", "media.factory.construct", True)
            factory.set_permissions(permissions)
        mounts.add_factory(name, factory)
    if args.auth:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "user")
        user, _, password = args.auth.partition(":")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)
    if server.attach(None) == 0:
        sys.exit(f"cannot listen on port {args.port}")
    print(f"rtsp server ready on {args.port}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
