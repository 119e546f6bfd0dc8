// Draw Adaptive Cards as Teams would, at a phone's width and a desktop's, to look at them.
//
//     .venv/bin/python scripts/card_gallery.py /tmp/cards
//     npm install --prefix /tmp/cards-npm adaptivecards@3 markdown-it playwright-core
//     NODE_PATH=/tmp/cards-npm/node_modules node scripts/render-cards.mjs /tmp/cards
//
// Writes <name>-360.png and <name>-1000.png beside each <name>.json. Chromium comes from
// CHROMIUM (default /usr/bin/chromium). Markdown is read as Teams reads it: HTML is allowed
// through Markdown and then every tag Teams does not show is dropped, so text such as
// `<reason>` that is not escaped disappears here as it does in Teams. Not part of `make test`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const modules = process.env.NODE_PATH || join(process.cwd(), 'node_modules');
const require = createRequire(join(modules, 'x.js'));
const { chromium } = require('playwright-core');
// The browser builds, read from the packages' folders (their `exports` do not list them).
const first = (...paths) => readFileSync(paths.map((p) => join(modules, p)).find(existsSync), 'utf8');
const bundle = first('adaptivecards/dist/adaptivecards.min.js');
const markdownIt = first('markdown-it/dist/browser/markdown-it.umd.min.js', 'markdown-it/dist/markdown-it.min.js');

const dir = process.argv[2];
if (!dir) throw new Error('usage: render-cards.mjs DIR (of card JSON files)');
const widths = (process.env.WIDTHS || '360,1000').split(',').map(Number);

// Teams' light theme, as the Adaptive Cards designer has it (fonts, spacing, colours).
const hostConfig = {
  supportsInteractivity: true,
  spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: '#EEEEEE' },
  fontTypes: {
    default: {
      fontFamily: "'Segoe UI', 'Noto Sans', Tahoma, Geneva, Verdana, sans-serif",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
    monospace: {
      fontFamily: "'Courier New', Courier, monospace",
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 600 },
    },
  },
  containerStyles: {
    default: {
      backgroundColor: '#ffffff',
      foregroundColors: {
        default: { default: '#ff252424', subtle: '#bf252424' },
        attention: { default: '#c4314b', subtle: '#e5c4314b' },
        good: { default: '#92c353', subtle: '#e592c353' },
        accent: { default: '#6264a7', subtle: '#8b8cc7' },
      },
    },
    emphasis: {
      backgroundColor: '#fff9f8f7',
      foregroundColors: {
        default: { default: '#ff252424', subtle: '#bf252424' },
        attention: { default: '#c4314b', subtle: '#e5c4314b' },
      },
    },
  },
  actions: { maxActions: 6, spacing: 'Default', buttonSpacing: 8, actionsOrientation: 'Horizontal', actionAlignment: 'Left' },
  adaptiveCard: { allowCustomStyle: true },
};

const page = `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #f5f5f5; font-family: 'Segoe UI', 'Noto Sans', sans-serif; }
  #frame { margin: 8px; background: #fff; border-radius: 6px; box-shadow: 0 1px 2px #0003; }
  .ac-pushButton { border: 1px solid #c8c6c4; background: #fff; border-radius: 4px; padding: 4px 12px;
    font: 600 14px 'Segoe UI', 'Noto Sans', sans-serif; min-height: 32px; overflow: hidden;
    text-overflow: ellipsis; white-space: nowrap; }
  .ac-pushButton.style-positive { background: #6264a7; color: #fff; border-color: #6264a7; }
  .ac-ctrl-overflow { border: 1px solid #c8c6c4; border-radius: 4px; padding: 4px 10px; background: #fff; }
</style><script>${markdownIt}</script><script>${bundle}</script></head>
<body><div id="frame"></div></body></html>`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run'],
});
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const card = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  for (const width of widths) {
    const tab = await browser.newPage({ viewport: { width, height: 800 } });
    await tab.setContent(page);
    const problems = await tab.evaluate(({ card, hostConfig }) => {
      const md = window.markdownit({ html: true, linkify: false });
      const shown = new Set(['P', 'STRONG', 'EM', 'UL', 'OL', 'LI', 'A', 'BR']);
      AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
        const holder = document.createElement('div');
        holder.innerHTML = md.render(text);
        // Teams drops every tag it does not show, and what is inside a dropped tag.
        for (const el of [...holder.querySelectorAll('*')].reverse()) if (!shown.has(el.tagName)) el.remove();
        result.outputHtml = holder.innerHTML;
        result.didProcess = true;
      };
      const adaptive = new AdaptiveCards.AdaptiveCard();
      adaptive.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
      const context = new AdaptiveCards.SerializationContext();
      adaptive.parse(card, context);
      const errors = [];
      for (let i = 0; i < context.eventCount; i++) errors.push(context.getEventAt(i).message);
      document.getElementById('frame').appendChild(adaptive.render());
      return errors;
    }, { card, hostConfig });
    const frame = tab.locator('#frame');
    const out = join(dir, file.replace(/\.json$/, `-${width}.png`));
    await frame.screenshot({ path: out });
    console.log(out, problems.length ? `validation: ${problems.join('; ')}` : '');
    await tab.close();
  }
}
await browser.close();
