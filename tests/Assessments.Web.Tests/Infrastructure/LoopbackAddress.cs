using System.Net;
using System.Net.Sockets;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>Source addresses for test clients: Linux routes all of 127.0.0.0/8 to the loopback
/// interface, so a socket bound to 127.0.3.7 reaches a server on 127.0.0.1 and the server sees
/// 127.0.3.7 as the client. No traffic leaves the machine.</summary>
public static class LoopbackAddress
{
    private static int _next = 256;

    /// <summary>An address no other client of this test process has had.</summary>
    public static IPAddress Next()
    {
        var n = Interlocked.Increment(ref _next);
        return new IPAddress([127, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);
    }

    public static async ValueTask<Stream> ConnectFromAsync(IPAddress source, DnsEndPoint target, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(target.Host), target.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
