using System.Globalization;
using System.Text;
using Storefront.Api.Data;

namespace Storefront.Api.Email;

public static class OrderConfirmationEmail
{
    public static EmailMessage For(Order order)
    {
        var text = new StringBuilder()
            .AppendLine($"Hi {order.Customer.FullName},")
            .AppendLine()
            .AppendLine($"we received your payment for order {order.Number}. Here is what we are packing for you:")
            .AppendLine();
        foreach (var line in order.Lines)
            text.AppendLine($"  {line.Quantity} x {line.Description} ({line.Sku})  {Money(line.UnitPriceCents * line.Quantity, order.Currency)}");
        text.AppendLine()
            .AppendLine($"Total paid: {Money(order.TotalCents, order.Currency)}")
            .AppendLine()
            .AppendLine("We will send another email when the parcel leaves our warehouse.")
            .AppendLine("The Storefront team");

        return new EmailMessage(order.Customer.Email, $"Order {order.Number} is confirmed", text.ToString());
    }

    private static string Money(long cents, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{cents / 100m:0.00} {currency}");
}
