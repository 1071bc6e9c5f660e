using System.Net.Sockets;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>A private Docker socket for one worker: forwards every connection to the real engine
/// while it lives; disposing it closes the connections and removes the socket file, as when an
/// engine goes away.</summary>
public sealed class UnixSocketProxy : IAsyncDisposable
{
    private readonly string _path;
    private readonly string _target;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _connections = [];
    private readonly Task _acceptLoop;

    public UnixSocketProxy(string path, string target)
    {
        _path = path;
        _target = target;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen();
        _acceptLoop = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await upstream.ConnectAsync(new UnixDomainSocketEndPoint(_target), _stop.Token);
            }
            catch (SocketException)
            {
                // The real engine is not there: the caller sees its connection closed, as it would.
                upstream.Dispose();
                client.Dispose();
                continue;
            }
            catch (OperationCanceledException)
            {
                // Disposed while a caller was connecting (the worker polls the engine all along).
                upstream.Dispose();
                client.Dispose();
                return;
            }
            lock (_connections)
            {
                _connections.Add(client);
                _connections.Add(upstream);
            }

            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The proxy is going away or a side hung up: the other side sees the connection close.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        lock (_connections)
        {
            foreach (var socket in _connections)
            {
                socket.Dispose();
            }
        }

        File.Delete(_path);
    }
}
