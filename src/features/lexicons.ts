/**
 * Closed word lists used by the text feature extractor. All entries are lower case; words are matched
 * after lower-casing and (for apostrophes) normalising ’ to '. Changing any list changes feature values:
 * bump TEXT_FEATURE_VERSION in text.ts when you do.
 */

/** English function words: articles, determiners, pronouns, prepositions, conjunctions, auxiliaries, particles. */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set([
  // articles / determiners
  'a', 'an', 'the', 'this', 'that', 'these', 'those', 'some', 'any', 'each', 'every', 'either', 'neither',
  'no', 'all', 'both', 'few', 'many', 'much', 'more', 'most', 'several', 'such', 'another', 'other',
  // pronouns
  'i', 'me', 'my', 'mine', 'myself', 'we', 'us', 'our', 'ours', 'ourselves', 'you', 'your', 'yours',
  'yourself', 'yourselves', 'he', 'him', 'his', 'himself', 'she', 'her', 'hers', 'herself', 'it', 'its',
  'itself', 'they', 'them', 'their', 'theirs', 'themselves', 'who', 'whom', 'whose', 'which', 'what',
  'whoever', 'whatever', 'whichever', 'someone', 'something', 'anyone', 'anything', 'everyone',
  'everything', 'nobody', 'nothing', 'one',
  // prepositions
  'about', 'above', 'across', 'after', 'against', 'along', 'among', 'around', 'as', 'at', 'before',
  'behind', 'below', 'beneath', 'beside', 'between', 'beyond', 'by', 'despite', 'down', 'during',
  'except', 'for', 'from', 'in', 'inside', 'into', 'like', 'near', 'of', 'off', 'on', 'onto', 'out',
  'outside', 'over', 'past', 'since', 'through', 'throughout', 'to', 'toward', 'towards', 'under',
  'underneath', 'until', 'up', 'upon', 'via', 'with', 'within', 'without',
  // conjunctions
  'and', 'but', 'or', 'nor', 'so', 'yet', 'because', 'although', 'though', 'while', 'whereas', 'if',
  'unless', 'whether', 'when', 'whenever', 'where', 'wherever', 'than', 'once',
  // auxiliaries / modals
  'be', 'am', 'is', 'are', 'was', 'were', 'been', 'being', 'have', 'has', 'had', 'having', 'do', 'does',
  'did', 'doing', 'will', 'would', 'shall', 'should', 'can', 'could', 'may', 'might', 'must', 'ought',
  // particles / misc
  'not', 'there', 'here', 'then', 'also', 'too', 'very', 'just', 'only', 'even',
]);

/** Forms of "be" that can head a passive construction (be + past participle). */
export const BE_FORMS: ReadonlySet<string> = new Set([
  'be', 'am', 'is', 'are', 'was', 'were', 'been', 'being',
]);

/** Irregular past participles not ending in -ed/-en (those are caught by suffix). */
export const IRREGULAR_PARTICIPLES: ReadonlySet<string> = new Set([
  'told', 'made', 'done', 'built', 'found', 'held', 'kept', 'left', 'lost', 'paid', 'said', 'sold', 'sent',
  'shown', 'thought', 'bought', 'brought', 'caught', 'taught', 'sought', 'fought', 'put', 'set', 'cut',
  'read', 'led', 'fed', 'met', 'hit', 'hurt', 'let', 'shut', 'spent', 'lent', 'bent', 'meant', 'felt',
  'dealt', 'heard', 'laid', 'won', 'spun', 'struck', 'stuck', 'hung', 'dug', 'begun', 'run', 'sung',
  'drunk', 'sunk', 'swum', 'come', 'become', 'understood', 'stood', 'withheld', 'upheld', 'shot', 'lit',
  'born', 'borne', 'worn', 'torn', 'sworn', 'known', 'grown', 'thrown', 'blown', 'drawn', 'flown',
  'sewn', 'sown', 'split', 'spread', 'bet', 'cast', 'forecast', 'quit', 'bound', 'ground', 'wound',
  'slept', 'swept', 'wept', 'crept', 'dreamt', 'learnt', 'burnt', 'spelt', 'spoilt',
]);

/** Subordinating relative / wh-words that open an embedded clause when not sentence-initial. */
export const RELATIVE_WORDS: ReadonlySet<string> = new Set([
  'who', 'whom', 'whose', 'which', 'whoever', 'whomever', 'whatever', 'whichever', 'wherever', 'whenever',
]);

/** Contraction stems that take 's meaning is/has/us (not a possessive). */
export const S_CONTRACTION_STEMS: ReadonlySet<string> = new Set([
  'it', 'that', 'there', 'here', 'what', 'who', 'where', 'how', 'he', 'she', 'let', 'when', 'why',
  'this', 'everyone', 'everything', 'nothing', 'something', 'someone', 'somebody', 'everybody', 'nobody',
]);

/** Contraction suffixes (after the apostrophe) other than 's. */
export const CONTRACTION_SUFFIXES: ReadonlySet<string> = new Set(['t', 're', 've', 'll', 'd', 'm', 'all']);

/** Hedges (after Hyland 2005), single words. Multi-word hedges are in HEDGE_PHRASES. */
export const HEDGE_WORDS: ReadonlySet<string> = new Set([
  'may', 'might', 'could', 'perhaps', 'possibly', 'possible', 'probably', 'probable', 'likely',
  'unlikely', 'maybe', 'seem', 'seems', 'seemed', 'seemingly', 'appear', 'appears', 'appeared',
  'apparently', 'suggest', 'suggests', 'suggested', 'generally', 'typically', 'usually', 'often',
  'sometimes', 'somewhat', 'relatively', 'fairly', 'approximately', 'roughly', 'arguably', 'presumably',
  'potentially', 'tend', 'tends', 'tended', 'largely', 'mostly', 'mainly', 'essentially', 'plausibly',
  'plausible', 'uncertain', 'unclear',
]);

/** Multi-word hedges; none contains a word of HEDGE_WORDS, so nothing is counted twice. */
export const HEDGE_PHRASES: readonly string[] = [
  'i think', 'i believe', 'i guess', 'i suppose', 'to some extent', 'in general', 'more or less',
  'sort of', 'kind of',
];

/** Discourse markers / connectives, single words. */
export const DISCOURSE_WORDS: ReadonlySet<string> = new Set([
  'however', 'therefore', 'moreover', 'furthermore', 'additionally', 'consequently', 'thus', 'hence',
  'nevertheless', 'nonetheless', 'meanwhile', 'overall', 'ultimately', 'firstly', 'secondly', 'thirdly',
  'finally', 'lastly', 'similarly', 'likewise', 'conversely', 'instead', 'otherwise', 'indeed',
  'besides', 'accordingly', 'notably', 'importantly', 'specifically', 'alternatively', 'subsequently',
]);

/** Multi-word discourse markers; none contains a word of DISCOURSE_WORDS. */
export const DISCOURSE_PHRASES: readonly string[] = [
  'in addition', 'for example', 'for instance', 'in conclusion', 'on the other hand', 'as a result',
  'in summary', 'in contrast', 'in fact', 'that said', 'in other words', 'to summarize', 'to sum up',
  'in particular', 'of course', 'after all', 'at the same time', 'on the contrary', 'as such',
  'in short', 'all in all',
];

export const FIRST_PERSON_SINGULAR: ReadonlySet<string> = new Set(['i', 'me', 'my', 'mine', 'myself']);
export const FIRST_PERSON_PLURAL: ReadonlySet<string> = new Set(['we', 'us', 'our', 'ours', 'ourselves']);
export const SECOND_PERSON: ReadonlySet<string> = new Set(['you', 'your', 'yours', 'yourself', 'yourselves']);

/**
 * Stock phrases of chat assistants (English), written for this project from what their answers are known
 * for: disclaimers, offers of help, set openings and closings, inflated emphasis. Matched whole-word and
 * case-insensitive by the phrase matcher in text.ts. Two overlap the discourse markers above ("overall, the",
 "ultimately, the") and count in both features.
 */
export const LLM_PHRASES_EN: readonly string[] = [
  'as an ai', 'as a language model', 'as an ai language model', "i'm an ai", 'i am an ai', "i'm sorry, but",
  'i hope this helps', 'i hope this information', 'hope this helps', 'let me know if', 'feel free to',
  "i'd be happy to", "i'm happy to help", 'happy to help', 'great question', 'certainly!', 'sure!', 'absolutely!',
  'here are some', 'here is a', "here's a", 'here are a few', 'there are several', 'there are many factors',
  'it is important to note', "it's important to note", 'it is worth noting', "it's worth noting",
  'it is essential to', "it's essential to", 'it is crucial to', "it's crucial to", 'it is important to',
  "it's important to", 'plays a crucial role', 'plays a vital role', 'plays a significant role', 'a crucial role',
  'a wide range of', 'a variety of factors', 'delve into', 'delves into', 'delving into', 'a testament to',
  'the realm of', 'rich tapestry', 'ever-evolving', 'in today\'s fast-paced', 'in today\'s world',
  'navigate the complexities', 'a deeper understanding', 'key takeaways', 'valuable insights',
  'overall, the', 'by doing so', 'ultimately, the', 'in this article', 'in this essay',
];

/** Marks of informal human writing (English): chat abbreviations, emoticons, spoken fillers, edits. */
export const HUMAN_PHRASES_EN: readonly string[] = [
  'lol', 'lmao', 'imo', 'imho', 'tbh', 'idk', 'btw', 'afaik', 'iirc', 'fwiw', 'ymmv', 'smh', 'omg',
  'gonna', 'wanna', 'gotta', 'kinda', 'sorta', 'dunno', 'yeah', 'yep', 'nope', 'nah', 'meh', 'ugh',
  'haha', 'hehe', 'heh', 'damn', 'crap', 'ok so', 'my two cents', 'you know what i mean', 'i mean',
  'pretty much', 'and stuff', 'or something', 'edit:', ':)', ':(', ':d', ';)', ':p', ':-)',
];

/** Stock phrases of chat assistants (Chinese), written for this project. */
export const LLM_PHRASES_ZH: readonly string[] = [
  '作为一个人工智能', '作为一个ai', '作为一个语言模型', '作为人工智能', '总的来说', '综上所述', '总而言之',
  '需要注意的是', '值得注意的是', '希望对你有所帮助', '希望对您有所帮助', '希望这些信息', '以下是一些', '以下是',
  '建议您', '您可以', '具体来说', '一般来说', '请注意', '非常重要',
];

/** Marks of informal human writing (Chinese), written for this project. */
export const HUMAN_PHRASES_ZH: readonly string[] = [
  '哈哈', '呵呵', '嘿嘿', '嘻嘻', '卧槽', '我觉得', '个人觉得', '说实话', '讲真', '楼主', '笑死', '靠谱',
  '还行吧', '挺好的', '醉了', '吐槽', '亲测', '反正我',
];
