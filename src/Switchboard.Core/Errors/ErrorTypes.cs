namespace Switchboard.Errors;

/// <summary>Values of the <c>type</c> field of the OpenAI error object.</summary>
public static class ErrorTypes
{
    public const string InvalidRequest = "invalid_request_error";
    public const string Authentication = "authentication_error";
    public const string Permission = "permission_error";
    public const string RateLimit = "rate_limit_error";
    public const string Upstream = "upstream_error";
    public const string Server = "server_error";
}
