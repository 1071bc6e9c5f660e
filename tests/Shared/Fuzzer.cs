using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Assessments.Tests.Shared;

/// <summary>Seeded mutation fuzzing for the product's parsers of untrusted input. Each run takes a
/// fresh seed (or <c>ASSESSMENTS_FUZZ_SEED</c>) and <c>ASSESSMENTS_FUZZ_ITERATIONS</c> inputs (or
/// the test's default); a failure names the seed, the iteration and a file holding the input, so
/// <c>ASSESSMENTS_FUZZ_SEED=N</c> replays it exactly.</summary>
public sealed class Fuzzer
{
    private Fuzzer(int seed) => Random = new Random(seed);

    public Random Random { get; }

    /// <summary>Runs <paramref name="body"/> on <paramref name="iterations"/> inputs made by
    /// <paramref name="generate"/>. The body must not throw, and each input must be handled within
    /// <paramref name="perInput"/> (a hang fails the test instead of holding the suite).</summary>
    public static async Task RunAsync<T>(string what, int iterations, Func<Fuzzer, T> generate, Func<T, Task> body, Func<T, byte[]> save, TimeSpan? perInput = null)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ASSESSMENTS_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();
        var count = int.TryParse(Environment.GetEnvironmentVariable("ASSESSMENTS_FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fixedCount)
            ? fixedCount
            : iterations;
        var limit = perInput ?? TimeSpan.FromSeconds(10);
        var fuzzer = new Fuzzer(seed);
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < count; i++)
        {
            var input = generate(fuzzer);
            var watch = Stopwatch.StartNew();
            Exception? failure = null;
            try
            {
                var run = Task.Run(() => body(input));
                if (await Task.WhenAny(run, Task.Delay(limit)) != run)
                {
                    failure = new TimeoutException($"no answer within {limit}");
                }
                else
                {
                    await run;
                }
            }
            catch (Exception e)
            {
                failure = e;
            }

            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            if (failure is not null)
            {
                var file = Path.Combine(Path.GetTempPath(), $"fuzz-{what}-{seed}-{i}.bin");
                await File.WriteAllBytesAsync(file, save(input));
                throw new Xunit.Sdk.XunitException($"{what}: input {i} of seed {seed} failed (replay with ASSESSMENTS_FUZZ_SEED={seed}; the input is in {file}): {failure}");
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{what}: {count} inputs of seed {seed}, slowest {slowest.TotalMilliseconds:0} ms");
    }

    /// <summary>One of <paramref name="items"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    /// <summary>One to four byte-level changes: flipped bits, random bytes, a range cut, repeated
    /// or inserted, or the end cut off.</summary>
    public byte[] Mutate(byte[] input)
    {
        var bytes = new List<byte>(input);
        for (var n = Random.Next(1, 5); n > 0; n--)
        {
            var at = bytes.Count == 0 ? 0 : Random.Next(bytes.Count);
            switch (Random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << Random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)Random.Next(256);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, Random.Next(1, 64)));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(bytes.Count - at, Random.Next(1, 64))));
                    break;
                case 4:
                    var noise = new byte[Random.Next(1, 32)];
                    Random.NextBytes(noise);
                    bytes.InsertRange(at, noise);
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>One to four line-level changes to a text: a line dropped, repeated, moved or
    /// re-indented, a value replaced by one of <paramref name="tokens"/>, a token inserted anywhere,
    /// or the text cut.</summary>
    public string MutateText(string input, IReadOnlyList<string> tokens)
    {
        var lines = input.Split('\n').ToList();
        for (var n = Random.Next(1, 5); n > 0; n--)
        {
            var at = Random.Next(lines.Count);
            switch (Random.Next(7))
            {
                case 0 when lines.Count > 1:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[at]);
                    break;
                case 2:
                    var moved = lines[at];
                    lines.RemoveAt(at);
                    lines.Insert(Random.Next(lines.Count + 1), moved);
                    break;
                case 3:
                    lines[at] = new string(' ', Random.Next(0, 9)) + lines[at].TrimStart();
                    break;
                case 4 when lines[at].IndexOf(':', StringComparison.Ordinal) is var colon and >= 0:
                    lines[at] = lines[at][..(colon + 1)] + " " + Pick(tokens);
                    break;
                case 5:
                    var position = Random.Next(lines[at].Length + 1);
                    lines[at] = lines[at][..position] + Pick(tokens) + lines[at][position..];
                    break;
                default:
                    var text = string.Join('\n', lines);
                    lines = [.. text[..Random.Next(text.Length + 1)].Split('\n')];
                    break;
            }
        }

        return string.Join('\n', lines);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
