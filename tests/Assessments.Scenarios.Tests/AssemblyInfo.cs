// The platform and its sandbox run on Linux; tests use Unix file modes and sockets.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
