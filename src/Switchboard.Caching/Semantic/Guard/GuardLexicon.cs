using System.Collections.Frozen;

namespace Switchboard.Caching.Semantic.Guard;

/// <summary>
/// The word lists behind <see cref="SemanticGuard"/>: function words, number words, negations, opposites,
/// synonyms, and entities people swap in otherwise identical questions (places, languages, currencies,
/// units, technologies, names). English only; a word not listed is still compared as a content word.
/// </summary>
internal static class GuardLexicon
{
    public static readonly FrozenSet<string> StopWords = Set(
        "a an the this that these those it its it's i me my mine we us our ours you your yours he him his she her hers they them their theirs " +
        "is am are was were be been being do does did doing done have has had having will would shall should can could may might must " +
        "what which who whom whose when where why how whats wheres hows whos " +
        "and or but if then so as of at by for with about into onto to from in on up down out off over under again further " +
        "there here all any both each few more most other some such only own same too very just also really actually " +
        "please pls plz thanks thank hey hi hello kindly " +
        "tell know let like want wanna need needs way ways possible able something someone anything anyone thing things " +
        "give share show explain describe help get got make made go going use using say said do " +
        "quick quickly briefly short simple simply exactly usually generally best good better " +
        "im ive id ill youre dont doesnt isnt arent cant wont didnt " +
        "yes ok okay sure well now");

    /// <summary>Number words and the value they stand for (cardinals and ordinals alike).</summary>
    public static readonly FrozenDictionary<string, string> NumberWords = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["zero"] = "0", ["one"] = "1", ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6",
        ["seven"] = "7", ["eight"] = "8", ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12",
        ["thirteen"] = "13", ["fourteen"] = "14", ["fifteen"] = "15", ["sixteen"] = "16", ["seventeen"] = "17",
        ["eighteen"] = "18", ["nineteen"] = "19", ["twenty"] = "20", ["thirty"] = "30", ["forty"] = "40", ["fifty"] = "50",
        ["sixty"] = "60", ["seventy"] = "70", ["eighty"] = "80", ["ninety"] = "90", ["hundred"] = "100", ["thousand"] = "1000",
        ["million"] = "1000000", ["billion"] = "1000000000", ["dozen"] = "12", ["couple"] = "2", ["pair"] = "2", ["half"] = "0.5",
        ["twice"] = "2x", ["triple"] = "3x", ["double"] = "2x",
        ["first"] = "1", ["second"] = "2", ["third"] = "3", ["fourth"] = "4", ["fifth"] = "5", ["sixth"] = "6", ["seventh"] = "7",
        ["eighth"] = "8", ["ninth"] = "9", ["tenth"] = "10",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Words that say "not": each counts once; <c>n't</c> is found inside contractions.</summary>
    public static readonly FrozenSet<string> Negations = Set(
        "not no never without none nothing nobody nowhere neither nor cannot unable non except excluding lacking");

    /// <summary>Words that name a point or span of time: a question about one is not a question about another.</summary>
    public static readonly FrozenSet<string> TimeWords = Set(
        "today tomorrow yesterday tonight morning afternoon evening night noon midnight weekend weekday " +
        "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun " +
        "january february march april june july august september october november december " +
        "jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn winter " +
        "am pm daily weekly monthly yearly annually hourly quarterly");

    /// <summary>Time qualifiers that only carry meaning before a span (<c>next week</c>, <c>last month</c>).</summary>
    public static readonly FrozenSet<string> TimeQualifiers = Set("this next last previous coming past current upcoming");

    public static readonly FrozenSet<string> TimeSpans = Set(
        "week weeks month months year years quarter quarters weekend weekends time night morning day days season semester " +
        "monday tuesday wednesday thursday friday saturday sunday");

    /// <summary>
    /// Entities people swap in otherwise identical questions, lower-case: places, languages, currencies, units,
    /// technologies, colors, common first names. Capitalized words are protected anyway; these are protected
    /// even when typed in lower case.
    /// </summary>
    public static readonly FrozenSet<string> Entities = Set(
        // currencies and units
        "dollar dollars usd euro euros eur pound pounds gbp sterling yen jpy yuan cny rmb rupee rupees inr franc francs chf peso pesos " +
        "ruble rubles rouble won krona kronor krone bitcoin btc ethereum eth cent cents " +
        "mile miles kilometer kilometers kilometre kilometres km meter meters metre metres m cm mm foot feet inch inches yard yards " +
        "kilogram kilograms kg gram grams g pound lb lbs ounce ounces oz ton tons tonne tonnes liter liters litre litres ml gallon gallons " +
        "celsius fahrenheit kelvin degree degrees byte bytes kb mb gb tb kib mib gib tib bit bits mbps gbps hz khz mhz ghz watt watts kw kwh volt volts " +
        "second seconds minute minutes hour hours day days week weeks month months year years decade decades century centuries percent " +
        // languages
        "english french german spanish italian portuguese russian chinese mandarin cantonese japanese korean arabic hindi bengali urdu " +
        "dutch swedish norwegian danish finnish polish czech turkish greek hebrew latin thai vietnamese indonesian ukrainian persian " +
        // technologies
        "python java javascript typescript ruby rust golang kotlin scala swift php perl haskell elixir erlang clojure lua dart julia " +
        "c c++ c# f# csharp cpp cobol fortran bash powershell sql nosql mysql postgres postgresql sqlite mongodb redis cassandra oracle " +
        "docker podman kubernetes k8s terraform ansible helm nginx apache linux ubuntu debian fedora centos windows macos mac ios android " +
        "aws azure gcp react angular vue svelte django flask rails spring node nodejs deno dotnet .net npm pip maven gradle git github gitlab " +
        "excel powerpoint outlook slack zoom chrome firefox safari edge iphone ipad pixel samsung tesla " +
        // colors
        "red blue green yellow black white orange purple pink brown gray grey silver gold beige violet cyan magenta " +
        // places
        "paris london berlin madrid rome lisbon amsterdam brussels vienna prague warsaw budapest athens dublin oslo stockholm helsinki " +
        "copenhagen zurich geneva munich hamburg frankfurt milan barcelona moscow istanbul dubai cairo lagos nairobi tokyo osaka kyoto " +
        "beijing shanghai seoul singapore bangkok delhi mumbai sydney melbourne toronto vancouver montreal chicago boston seattle denver " +
        "york jersey angeles francisco miami dallas houston atlanta austin phoenix mexico brazil argentina chile peru colombia canada " +
        "france germany spain italy portugal england scotland ireland wales britain uk usa america russia china japan korea india " +
        "australia austria switzerland belgium netherlands sweden norway denmark finland poland greece turkey egypt nigeria kenya " +
        "africa europe asia antarctica ukraine israel iran iraq pakistan indonesia vietnam thailand philippines malaysia " +
        // first names
        "alice bob carol dave david eve frank grace heidi ivan judy mallory oscar peggy trent victor walter anna maria john mary james " +
        "robert michael william elizabeth linda barbara susan jessica sarah karen thomas tom charles chris daniel matthew mark paul " +
        "steven andrew joshua kevin brian george emma olivia ava sophia mia lucas liam noah ethan jack harry anne emily laura kate");

    /// <summary>Groups of words of opposite meaning; the index of a group is its identity.</summary>
    public static readonly IReadOnlyList<string[]> OppositeGroups =
    [
        ["enable", "disable"], ["add", "remove"], ["increase", "decrease", "reduce", "lower", "raise"], ["open", "close", "shut"],
        ["start", "stop", "end", "finish"], ["buy", "sell"], ["upload", "download"], ["import", "export"], ["lock", "unlock"],
        ["on", "off"], ["in", "out"], ["up", "down"], ["before", "after"], ["above", "below"], ["min", "max"], ["minimum", "maximum"],
        ["encrypt", "decrypt"], ["allow", "deny", "block", "forbid"], ["accept", "reject", "decline"], ["include", "exclude"],
        ["show", "hide"], ["install", "uninstall"], ["subscribe", "unsubscribe"], ["push", "pull"], ["upgrade", "downgrade"],
        ["connect", "disconnect"], ["create", "delete", "destroy"], ["true", "false"], ["first", "last"], ["cheap", "expensive"],
        ["large", "small"], ["big", "small", "little"], ["high", "low"], ["more", "less", "fewer"], ["most", "least"],
        ["win", "lose"], ["send", "receive"], ["ascending", "descending"], ["asc", "desc"], ["positive", "negative"], ["left", "right"],
        ["north", "south"], ["east", "west"], ["advantage", "disadvantage"], ["pro", "con"], ["benefit", "risk", "drawback"],
        ["best", "worst"], ["good", "bad"], ["better", "worse"], ["fast", "slow"], ["early", "late"], ["old", "new", "young"],
        ["hot", "cold"], ["warm", "cool"], ["long", "short"], ["heavy", "light"], ["strong", "weak"], ["safe", "dangerous", "unsafe"],
        ["mount", "unmount"], ["freeze", "unfreeze"], ["follow", "unfollow"], ["pause", "resume"], ["ban", "unban"], ["pin", "unpin"],
        ["approve", "reject"], ["activate", "deactivate"], ["arrive", "depart", "leave"], ["import", "export"], ["inbound", "outbound"],
        ["incoming", "outgoing"], ["credit", "debit"], ["deposit", "withdraw", "withdrawal"], ["borrow", "lend"], ["hire", "fire"],
        ["join", "leave"], ["attach", "detach"], ["compress", "decompress", "extract"], ["encode", "decode"], ["serialize", "deserialize"],
        ["zip", "unzip"], ["archive", "unarchive"], ["mute", "unmute"], ["like", "dislike"], ["agree", "disagree"], ["maximize", "minimize"],
        ["before", "after"], ["yes", "no"], ["always", "never"], ["all", "none"], ["everyone", "nobody"], ["rent", "buy"], ["boiling", "freezing"],
        ["inside", "outside"], ["upstairs", "downstairs"], ["import", "export"], ["horizontal", "vertical"], ["male", "female"],
        ["forward", "backward", "back"], ["next", "previous", "prev"], ["top", "bottom"], ["front", "back", "rear"],
    ];

    /// <summary>Synonym groups: words in one group may replace each other without changing the question.</summary>
    public static readonly IReadOnlyList<string[]> SynonymGroups =
    [
        ["change", "update", "modify", "edit", "alter", "adjust"], ["see", "view", "check", "find", "look", "display", "lookup"],
        ["send", "transfer", "wire"], ["tall", "high", "tallest", "highest"], ["create", "make", "generate", "build", "setup", "set"],
        ["delete", "remove", "erase"], ["buy", "purchase", "order"], ["begin", "start"], ["help", "assist", "support"],
        ["fix", "repair", "resolve", "solve"], ["book", "reserve", "schedule"], ["big", "large", "huge"], ["small", "little", "tiny"],
        ["fast", "quick", "rapid", "speed"], ["cost", "price", "charge", "fee"], ["author", "writer", "wrote", "write", "written"],
        ["paint", "painter", "painted", "artist"], ["cancel", "terminate"], ["contact", "reach", "touch"], ["summary", "summarize", "summarise"],
        ["recipe", "cook", "prepare"], ["declined", "rejected", "refused"], ["accept", "accepted", "take"], ["error", "issue", "problem"],
        ["app", "application"], ["login", "log", "signin", "sign"], ["mistake", "error"], ["shipping", "delivery", "ship", "deliver"],
        ["track", "trace", "follow"], ["locate", "find"], ["recommend", "suggest"], ["meaning", "mean", "definition", "define"],
        ["cause", "make", "reason"], ["travel", "go", "move"], ["learn", "study"], ["program", "code"], ["command", "cmd"],
    ];

    private static FrozenSet<string> Set(string words) =>
        words.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);
}
