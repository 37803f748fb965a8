namespace Switchboard.Limits;

/// <summary>What a rate limit counts: one virtual key, one end user, one public model or one deployment.</summary>
public enum LimitScope
{
    /// <summary>Every request made with one virtual key.</summary>
    Key,

    /// <summary>Every request of one end user (the OpenAI <c>user</c> field or <c>x-switchboard-user</c>) within a key.</summary>
    User,

    /// <summary>Every request for one public model, whoever asks.</summary>
    Model,

    /// <summary>Every request one deployment serves: its own capacity.</summary>
    Deployment,
}
