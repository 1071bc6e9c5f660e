using Greeting.Api;
using Xunit;

namespace Greeting.Tests;

public sealed class GreeterTests
{
    [Fact]
    public void GreetsByName() => Assert.Equal("hello, Ada", Greeter.Text(" Ada "));

    [Fact]
    public void GreetsEveryoneWithoutAName() => Assert.Equal("hello", Greeter.Text(null));
}
