namespace Switchboard.Mock.Fixtures;

/// <summary>What a fixture with several responses answers once each has been used.</summary>
public enum SequenceMode
{
    /// <summary>Keep answering with the last response.</summary>
    RepeatLast,

    /// <summary>Start again at the first response.</summary>
    Cycle,
}
