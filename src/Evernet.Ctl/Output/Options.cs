using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Evernet.Ctl.Output;

internal static class Options
{
    /// <summary>
    /// An integer option checked while parsing (a validator would also run after a failed conversion, and throw):
    /// a value that is not a number or out of range is a parse error, hence exit 64.
    /// </summary>
    public static Option<int> BoundedInt(string name, string description, int min, int max, int? defaultValue, string helpName, params string[] aliases)
    {
        var option = new Option<int>(name, aliases)
        {
            Description = description,
            HelpName = helpName,
            Required = defaultValue is null,
            CustomParser = result =>
            {
                string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
                    return value;
                result.AddError($"{name} must be a whole number from {min} to {max}, got '{token}'");
                return 0;
            },
        };
        if (defaultValue is { } d) option.DefaultValueFactory = _ => d;
        return option;
    }
}
