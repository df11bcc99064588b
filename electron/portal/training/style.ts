/** The training pages' stylesheet: a plain portal look, with the training banner on top. */
export const TRAINING_CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1b1f24; background: #f3f4f6; }
body { margin: 0; }
.training { background: #ffd84d; color: #1b1f24; padding: 8px 24px; border-bottom: 2px solid #8a6d00; display: flex; gap: 12px; align-items: baseline; }
.training span { min-width: 0; }
.training strong { flex-shrink: 0; text-transform: uppercase; letter-spacing: 0.08em; background: #1b1f24; color: #ffd84d; padding: 1px 8px; border-radius: 3px; }
header.portal { background: #14395b; color: #fff; padding: 14px 24px; display: flex; justify-content: space-between; align-items: center; gap: 16px; flex-wrap: wrap; }
header.portal .brand { font-weight: 700; font-size: 1.15rem; }
header.portal .who { font-size: 0.95rem; overflow-wrap: anywhere; }
header.portal a { color: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.7rem; margin: 0 0 16px; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 24px 0 8px; }
h3 { font-size: 1.05rem; margin: 0 0 4px; }
p { margin: 0 0 12px; }
.lead { font-size: 1.08rem; }
.muted { color: #4b5563; }
.small { font-size: 0.9rem; }
a { color: #0b5cad; }
a:focus-visible, button:focus-visible, input:focus-visible, .button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.card { background: #fff; border: 1px solid #d1d5db; border-radius: 8px; padding: 20px; margin: 0 0 16px; }
.methods { list-style: none; padding: 0; margin: 0 0 16px; display: grid; gap: 12px; }
.method { background: #fff; border: 1px solid #d1d5db; border-radius: 8px; padding: 16px 20px; display: flex; justify-content: space-between; align-items: center; gap: 16px; }
.method > div:first-child { min-width: 0; }
.method h3 .muted { font-weight: 400; overflow-wrap: anywhere; }
.actions { display: flex; align-items: center; gap: 12px; flex-shrink: 0; }
.actions form { margin: 0; }
button, .button { display: inline-block; font: inherit; font-weight: 600; padding: 9px 20px; border-radius: 6px; border: 1px solid #0b5cad; background: #0b5cad; color: #fff; cursor: pointer; text-decoration: none; }
button:hover, .button:hover { background: #094a8c; }
.button.secondary { background: #fff; color: #0b5cad; }
.button.secondary:hover { background: #eef4fb; }
button.danger { background: #b42318; border-color: #b42318; }
form.card button, form.card .button { margin-right: 12px; }
.field { margin: 0 0 16px; }
label { display: block; font-weight: 600; margin: 0 0 4px; }
.hint { color: #4b5563; font-size: 0.92rem; margin: 0 0 6px; }
input[type=text] { font: inherit; padding: 8px 10px; border: 1px solid #6b7280; border-radius: 6px; width: 100%; max-width: 360px; background: #fff; color: #1b1f24; }
input.code { max-width: 180px; font-size: 1.25rem; letter-spacing: 0.15em; font-variant-numeric: tabular-nums; }
input[aria-invalid=true] { border: 2px solid #b42318; }
.error { color: #b42318; font-weight: 600; margin: 6px 0 0; }
fieldset { border: 0; padding: 0; margin: 0 0 12px; }
legend { font-weight: 600; margin: 0 0 8px; padding: 0; }
label.choice { font-weight: 400; display: flex; gap: 10px; align-items: center; padding: 10px 12px; border: 1px solid #d1d5db; border-radius: 6px; margin: 0 0 8px; overflow-wrap: anywhere; }
label.choice input { width: 18px; height: 18px; flex-shrink: 0; margin: 0; }
.tag { display: inline-block; font-size: 0.85rem; font-weight: 600; padding: 2px 10px; border-radius: 999px; background: #e5e7eb; color: #374151; white-space: nowrap; }
.tag.on { background: #dcfce7; color: #14532d; }
.tag.off { background: #fee4e2; color: #7a271a; }
.alert { background: #fef3f2; border: 1px solid #f04438; color: #7a271a; border-radius: 8px; padding: 12px 16px; margin: 0 0 16px; }
.alert ul { margin: 4px 0 8px; }
.notice { background: #ecfdf3; border: 1px solid #12b76a; color: #054f31; border-radius: 8px; padding: 12px 16px; margin: 0 0 16px; }
.notice p, .alert p { margin: 0 0 4px; }
.warn { color: #7a271a; font-weight: 600; margin: 4px 0 0; }
.tip { background: #eef4fb; border-left: 4px solid #0b5cad; padding: 10px 14px; border-radius: 0 6px 6px 0; }
.two { display: grid; grid-template-columns: 300px 1fr; gap: 24px; align-items: start; }
.qr { text-align: center; }
.qr img { display: block; margin: 0 auto 8px; image-rendering: pixelated; }
code.key { font-size: 0.95rem; word-break: break-all; }
.steps { padding-left: 1.3em; margin: 0 0 12px; }
.steps li { margin: 0 0 4px; }
.picks { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 8px; }
.picks li { background: #fff; border: 1px solid #d1d5db; border-radius: 6px; padding: 10px 12px; display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
@media (max-width: 760px) { .two { grid-template-columns: 1fr; } .method { flex-direction: column; align-items: flex-start; } }
`;
