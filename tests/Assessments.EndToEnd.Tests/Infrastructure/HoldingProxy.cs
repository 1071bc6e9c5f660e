using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>A TCP proxy on 127.0.0.1 in front of a web process that can hold one git push in the
/// middle: armed, it passes the next <c>POST …/git-receive-pack</c> request's headers on and keeps
/// its body (the pack) back until released. The server has then authenticated the push and looked
/// up its repository, and waits for the pack: a fault test breaks something in that moment.</summary>
public sealed class HoldingProxy : IAsyncDisposable
{
    private static readonly byte[] Post = "POST "u8.ToArray();
    private static readonly byte[] EndOfHeaders = "\r\n\r\n"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private TaskCompletionSource? _held;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HoldingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Holds the next push's pack; the task ends when the server has that push's headers.</summary>
    public Task HoldNextPushAsync()
    {
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _held.Task;
    }

    /// <summary>Lets the held pack through.</summary>
    public void Release() => _release.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ConnectAsync(client));
        }
    }

    private async Task ConnectAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
                var toClient = server.GetStream().CopyToAsync(client.GetStream(), _stopping.Token);
                await ForwardRequestsAsync(client.GetStream(), server.GetStream());
                server.Client.Shutdown(SocketShutdown.Send);
                await toClient;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side hung up: the other learns it when its own socket closes.
            }
        }
    }

    /// <summary>Client to server; while armed, everything from a <c>POST</c> request line on is
    /// kept until its headers are whole, and a receive-pack's body waits for the release.</summary>
    private async Task ForwardRequestsAsync(Stream client, Stream server)
    {
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        int read;
        while ((read = await client.ReadAsync(buffer, _stopping.Token)) > 0)
        {
            if (_held is not { Task.IsCompleted: false } held)
            {
                await server.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
                continue;
            }

            pending.AddRange(buffer.AsSpan(0, read));
            var post = IndexOf(pending, Post);
            if (post < 0)
            {
                // Keep back only a tail that could be the start of "POST ": a request before it
                // must reach the server whole.
                var safe = pending.Count - PostPrefixAtEnd(pending);
                await server.WriteAsync(pending.GetRange(0, safe).ToArray(), _stopping.Token);
                pending.RemoveRange(0, safe);
                continue;
            }

            var end = IndexOf(pending, EndOfHeaders, post);
            if (end < 0)
            {
                continue;
            }

            var headers = pending.GetRange(0, end + EndOfHeaders.Length).ToArray();
            var rest = pending.GetRange(headers.Length, pending.Count - headers.Length).ToArray();
            pending.Clear();
            await server.WriteAsync(headers, _stopping.Token);
            var requestLine = Encoding.ASCII.GetString(headers, post, Math.Min(200, headers.Length - post)).Split("\r\n")[0];
            if (requestLine.Contains("/git-receive-pack ", StringComparison.Ordinal))
            {
                held.TrySetResult();
                await _release.Task.WaitAsync(_stopping.Token);
            }

            await server.WriteAsync(rest, _stopping.Token);
        }
    }

    /// <summary>How many of the last bytes are the first bytes of "POST " (fewer than all of it).</summary>
    private static int PostPrefixAtEnd(List<byte> bytes)
    {
        for (var length = Math.Min(Post.Length - 1, bytes.Count); length > 0; length--)
        {
            if (bytes.GetRange(bytes.Count - length, length).SequenceEqual(Post.Take(length)))
            {
                return length;
            }
        }

        return 0;
    }

    private static int IndexOf(List<byte> haystack, byte[] needle, int from = 0)
    {
        for (var i = from; i <= haystack.Count - needle.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }
}
