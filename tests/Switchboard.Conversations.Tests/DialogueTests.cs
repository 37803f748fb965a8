using Switchboard.Conversations.Dialogue;

namespace Switchboard.Conversations.Tests;

public sealed class DialogueTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    // One token per word keeps the arithmetic of the window readable.
    private static int Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private static DialogueTurn User(string speaker, string text, params string[] emotes) => new(DialogueTurn.UserRole, speaker, text, Noon, emotes);

    private static DialogueTurn Bot(string text) => new(DialogueTurn.AssistantRole, "model", text, Noon, []);

    [Fact]
    public void KeepsTheSystemPromptAndTheNewestTurnsThatFit()
    {
        DialogueTurn[] turns = [User("ann", "one two three"), Bot("four five"), User("bob", "six seven"), Bot("eight"), User("ann", "nine ten")];

        // 3 (reply) + system 3+2 = 8; newest first: "ann: nine ten" 3+3=6 -> 14; "eight" 3+1 -> 18; "bob: six seven" 6 -> 24.
        var prompt = DialogueWindow.Build("be brief", null, turns, budget: 25, attributeSpeakers: true, Words)!;

        Assert.Equal(["system", "user", "assistant", "user"], prompt.Messages.Select(m => m.Role));
        Assert.Equal("be brief", prompt.Messages[0].Text);
        Assert.Equal("bob: six seven", prompt.Messages[1].Text);
        Assert.Equal("ann: nine ten", prompt.Messages[3].Text);
        Assert.Equal(24, prompt.PromptTokens);
        Assert.Equal(3, prompt.IncludedTurns);
        Assert.Equal(2, prompt.DroppedTurns);
    }

    [Fact]
    public void ADroppedTurnTakesEveryOlderTurnWithIt()
    {
        DialogueTurn[] turns = [User("ann", "a"), Bot("a very long answer that does not fit at all"), User("ann", "b")];

        var prompt = DialogueWindow.Build(string.Empty, null, turns, budget: 12, attributeSpeakers: false, Words)!;

        Assert.Equal(["b"], prompt.Messages.Select(m => m.Text));
        Assert.Equal(2, prompt.DroppedTurns);
    }

    [Fact]
    public void ANewMessageThatCannotFitGivesNoPrompt() =>
        Assert.Null(DialogueWindow.Build("system words here", null, [User("ann", "far too many words for this budget")], budget: 10, attributeSpeakers: false, Words));

    [Fact]
    public void TheSummaryFollowsTheSystemPrompt()
    {
        var prompt = DialogueWindow.Build("rules", "they talked about pizza", [User("ann", "hi")], budget: 100, attributeSpeakers: false, Words)!;

        Assert.Equal(["rules", "Summary of the earlier conversation: they talked about pizza", "hi"], prompt.Messages.Select(m => m.Text));
    }

    [Fact]
    public void EmotesAreShownAsTokensAndRestoredFromTheReply()
    {
        Assert.Equal("nice :Kappa: but not Kappas or x:Kappa", EmoteMarkup.ForModel("nice Kappa but not Kappas or x:Kappa", ["Kappa"]));
        Assert.Equal("ann: gg :PogChamp:", DialogueWindow.ToMessage(User("ann", "gg PogChamp", "PogChamp"), attributeSpeakers: true).Text);
        Assert.Equal("haha Kappa indeed", EmoteMarkup.FromModel("haha :Kappa: indeed", ["Kappa"]));
    }

    [Fact]
    public void TopicsAreTheRecentContentWords()
    {
        DialogueTurn[] turns =
        [
            User("ann", "Anyone played the new Zelda game?"),
            Bot("The new Zelda game has a huge map."),
            User("bob", "I prefer pizza honestly, pizza with pineapple"),
            User("ann", "bob pizza with pineapple is a crime Kappa", "Kappa"),
        ];

        var topics = TopicTracker.Extract(turns, max: 3);

        Assert.Equal(["pizza", "pineapple", "game"], topics);
        Assert.Contains("zelda", TopicTracker.Extract(turns, max: 5));
        Assert.DoesNotContain("new", TopicTracker.Extract(turns, max: 20));
        Assert.DoesNotContain("bob", TopicTracker.Extract(turns, max: 20));
        Assert.DoesNotContain("kappa", TopicTracker.Extract(turns, max: 20));
    }
}
