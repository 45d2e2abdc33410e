// countWords (issue 48): scripts without spaces are cut by Intl.Segmenter; every other text counts as before.
import t from 'tap';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { countWords } from '../../src/features/words.js';

const root = path.resolve(import.meta.dirname, '../..');
const langs = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/languages.json'), 'utf8')) as Record<string, string[] | string>;
const outside = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/outside.json'), 'utf8')) as Record<string, string>;
const roleExamples = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/role-examples.json'), 'utf8')) as { texts: { text: string }[] };
const old = (s: string) => s.match(/\S+/g)?.length ?? 0;

t.test('texts written with spaces count exactly as before (one word per run of non-space characters)', async (t) => {
  for (const x of roleExamples.texts) t.equal(countWords(x.text), old(x.text));
  for (const [lang, texts] of Object.entries(langs)) {
    if (!Array.isArray(texts) || ['zh', 'ja', 'th'].includes(lang)) continue;
    for (const s of texts) t.equal(countWords(s), old(s), lang);
  }
  t.equal(countWords(outside.german), 44, 'the issue\'s German input: 44 words');
  t.equal(countWords(outside.python), old(outside.python));
  // any text without Han, kana, Thai, Lao, Khmer or Myanmar characters
  const noCjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => noCjk.test(s) || countWords(s) === old(s)), { numRuns: 300, seed: 48 });
  t.equal(countWords(''), 0);
  t.equal(countWords('  \n\t '), 0);
});

t.test('Chinese, Japanese and Thai are counted in words, not in runs between spaces', async (t) => {
  // a reader's segmentation: 今天 早上 我 又 把 雨伞 忘 在 车站 了 (10); ICU joins 我又 (9)
  const zh = countWords(langs.zh[1] as string);
  t.ok(zh >= 9 && zh <= 10, `今天早上我又把雨伞忘在车站了。 -> ${zh}`);
  // 今朝 も また 駅 に 傘 を 忘れ て しまっ た (11); ICU cuts しまった as し まっ た (12)
  const ja = countWords(langs.ja[1] as string);
  t.ok(ja >= 11 && ja <= 12, `今朝もまた駅に傘を忘れてしまった。 -> ${ja}`);
  // เช้า นี้ ฉัน ลืม ร่ม ไว้ ที่ สถานี อีก แล้ว (10)
  t.equal(countWords(langs.th[1] as string), 10, 'Thai');
  // the Chinese input (97 characters) was "1 words"
  const para = countWords(outside.chinese);
  t.ok(para >= 45 && para <= 65, `the issue's Chinese paragraph -> ${para} words`);
  const jaPara = countWords(langs.ja[0] as string);
  t.ok(jaPara >= 45 && jaPara <= 70, `a Japanese paragraph -> ${jaPara} words`);
  t.equal(countWords('我用Python写代码，效果很好。'), 7, 'Latin words inside a Chinese run count, punctuation does not: 我 用 Python 写 代码 效果 很好');
  t.equal(countWords('Tokyo 東京 is big'), 4, 'mixed: a Han run between spaces is one word here');
  t.equal(countWords('。！'), 1, 'a run of CJK punctuation alone is still one run');
  t.equal(countWords('我们使用 TensorFlow 和 PyTorch 训练模型'), 7, 'mostly Chinese with Latin words between spaces: 我们 使用 TensorFlow 和 PyTorch 训练 模型');
});

t.test('an English text quoting a few Chinese characters keeps its old count (mostly written with spaces)', async (t) => {
  // written for this test after the English test split's texts whose counts had changed (training/eval-languages.ts)
  const texts = [
    'His calendar, the Shoushi Li (授時暦) or Calendar for Fixing the Seasons, was disseminated in 1281 as the official calendar.',
    'His father was Shi Bingzhi (史秉直, Shih Ping-chih), and his mother came from a Jurchen family.',
    'The Chinese characters 吳釗燮 are a person\'s name, which can be transliterated as Joseph Wu.',
    '"小计" in English means "subtotal".',
    '白俄罗斯 means "Belarus" in English.',
    'The word ช่วย means help in Thai, and คุณ is you.',
  ];
  for (const s of texts) t.equal(countWords(s), old(s), s);
  // any run of at most two Han characters among at least three space-separated Latin words
  const latin = fc.stringMatching(/^[A-Za-z][a-z]{0,9}[.,]?$/);
  const han = fc.stringMatching(/^[\u4e00-\u9fa5]{1,2}$/);
  fc.assert(
    fc.property(fc.array(latin, { minLength: 3, maxLength: 30 }), han, fc.nat(), (ws, h, i) => {
      const s = [...ws.slice(0, i % (ws.length + 1)), h, ...ws.slice(i % (ws.length + 1))].join(' ');
      return countWords(s) === old(s);
    }),
    { numRuns: 300, seed: 48 },
  );
  // more Chinese words than others: the segmenter counts
  t.ok(countWords('白俄罗斯在东欧 Belarus') > old('白俄罗斯在东欧 Belarus'));
});
