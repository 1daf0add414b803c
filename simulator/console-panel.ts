import type { DemoCard } from "./control-http.ts";

/** Faces to hold up to the simulated camera (simulator/face/sample-faces.ts; the demo enrols man). */
const FACE_BUTTONS = `<div>${[
  ["man.turning", "Show the demo worker's face (turning slightly)"],
  ["man.probe", "his photo held still"],
  ["stranger", "a stranger's"],
  ["photo-attack", "a printed photo of the worker"],
  ["screen-attack.moved", "the photo on a phone screen, moved"],
]
  .map(([who, label]) => `<button data-sim="face" data-args='{"who":"${who}"}'>${label}</button>`)
  .join("")}</div>`;

/**
 * The console section that lets a person at a laptop act at the simulated station. The
 * composition root hands it to the console with the control routes; the console only embeds it.
 */
export function simConsolePanel(cards: readonly DemoCard[], faces = false): string {
  const cardsJson = JSON.stringify(cards).replace(/</g, "\\u003c");
  return `<section id="sim" style="margin-top:16px">
  <h2>Simulator: act as a person</h2>
  <div id="simCards"></div>
  ${faces ? FACE_BUTTONS : ""}
  <div><button data-sim="push-door">Push the door</button><button data-sim="hold-door">Hold it open</button><button data-sim="release-door">Let go</button></div>
  <div><button data-sim="exit-button">Press the exit button</button><button data-sim="force-door">Force the door</button></div>
  <div><button data-sim="jam" data-args='{"kind":"leaf"}'>Wedge the door open</button><button data-sim="jam" data-args='{"kind":"none"}'>Clear the fault</button></div>
  <div><button data-sim="contact" data-args='{"fault":"stuck-closed"}'>Bridge the door contact</button><button data-sim="contact" data-args='{"fault":"cut"}'>Cut its wire</button><button data-sim="contact" data-args='{"fault":"ok"}'>Mend it</button></div>
  <div><button data-sim="fire-alarm" data-args='{"active":true}'>Fire alarm on</button><button data-sim="fire-alarm" data-args='{"active":false}'>Fire alarm off</button></div>
  <div><button data-sim="tamper" data-args='{"active":true}'>Open the enclosure</button><button data-sim="tamper" data-args='{"active":false}'>Close it</button></div>
  <div><button data-sim="on-battery" data-args='{"active":true}'>Cut mains power</button><button data-sim="on-battery" data-args='{"active":false}'>Restore it</button></div>
  <div><button data-sim="time-quality" data-args='{"quality":"unknown"}'>Lose the time source</button><button data-sim="time-quality" data-args='{"quality":"synced"}'>Time synced</button></div>
  <div class="msg" id="simMsg"></div>
</section>
<script>
(() => {
  const msg = document.getElementById("simMsg");
  async function sim(cmd, body) {
    msg.textContent = "";
    const r = await fetch("/api/sim/" + cmd, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body || {}) });
    if (!r.ok) msg.textContent = (await r.json()).error || r.statusText;
  }
  for (const c of ${cardsJson}) {
    const b = document.createElement("button");
    b.textContent = "Tap " + c.label + " (" + c.uid + ")";
    b.onclick = () => sim("tap", { uid: c.uid });
    document.getElementById("simCards").appendChild(b);
  }
  document.querySelectorAll("[data-sim]").forEach((b) => { b.onclick = () => sim(b.dataset.sim, b.dataset.args ? JSON.parse(b.dataset.args) : {}); });
})();
</script>`;
}
