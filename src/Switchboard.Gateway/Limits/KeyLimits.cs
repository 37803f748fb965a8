using Switchboard.Limits;

namespace Switchboard.Gateway.Limits;

/// <summary>What one virtual key may use: its own RPM/TPM (null: the <c>limits.per_key</c> default) and budget.</summary>
/// <param name="KeyId">The key's id.</param>
/// <param name="Rpm">The key's requests per minute, or null for the default.</param>
/// <param name="Tpm">The key's tokens per minute, or null for the default.</param>
/// <param name="Budget">The key's budget, or null.</param>
public sealed record KeyLimits(string KeyId, long? Rpm = null, long? Tpm = null, BudgetLimit? Budget = null);
