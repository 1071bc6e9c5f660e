namespace Greeting.Api;

public static class Greeter
{
    public static string Text(string? name) => string.IsNullOrWhiteSpace(name) ? "hello" : $"hello, {name.Trim()}";
}
