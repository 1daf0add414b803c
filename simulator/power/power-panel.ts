import type { IncomingMessage, ServerResponse } from "node:http";
import type { LoadKind } from "./charge-load.ts";
import type { MeterFault } from "./pzem-meter.ts";
import type { SimPower } from "./sim-power.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Simulator controls for the outlets and the cabinet: plug in, swap, and start a fault. */
export function simPowerRoutes(sim: SimPower): Handler {
  return async (req, res, url) => {
    if (!url.pathname.startsWith("/api/sim-power/") || req.method !== "POST") return false;
    let text = "";
    for await (const c of req) text += (c as Buffer).toString("utf8");
    let a: Record<string, unknown> = {};
    try {
      a = JSON.parse(text || "{}") as Record<string, unknown>;
    } catch {
      // an empty object: the command below says what it needs
    }
    const c = sim.control;
    const name = url.pathname.slice("/api/sim-power/".length);
    let result: unknown;
    try {
      if (name === "plug")
        c.plug(String(a.outlet), String(a.load) as LoadKind | "none", Number(a.socPct ?? 20));
      else if (name === "meter-fault") c.meterFault(String(a.outlet), String(a.fault) as MeterFault);
      else if (name === "outlet-temperature") c.outletTemperature(String(a.outlet), Number(a.tempC));
      else if (name === "smoke") c.smoke(a.active === true);
      else if (name === "cabinet-smoke") c.cabinetSmoke(a.active === true);
      else if (name === "deposit") result = { slot: c.deposit(Number(a.socPct ?? 15)) ?? null };
      else if (name === "take") result = c.take() ?? null;
      else if (name === "thermal-runaway") c.thermalRunaway(Number(a.slot));
      else if (name === "jam-slot") c.jamSlotDoor(Number(a.slot), a.jammed !== false);
      else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `unknown command ${name}` }));
        return true;
      }
    } catch (err) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
      return true;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(result ?? { ok: true }));
    return true;
  };
}

export function simPowerPanel(sim: SimPower): string {
  const outlets = [...sim.meters.keys()];
  const b = (label: string, cmd: string, args: unknown) =>
    `<button data-simp="${cmd}" data-args='${JSON.stringify(args)}'>${label}</button>`;
  const rows = outlets
    .map((id) => {
      const kind = id.startsWith("ebike") ? "ebike" : "phone";
      return `<div>${id}: ${b(`Plug in a ${kind === "ebike" ? "e-bike battery" : "phone"}`, "plug", { outlet: id, load: kind, socPct: 20 })}${b("Unplug", "plug", { outlet: id, load: "none" })}${b("Over-current", "meter-fault", { outlet: id, fault: "over-current" })}${b("Silent meter", "meter-fault", { outlet: id, fault: "silent" })}${b("CRC noise", "meter-fault", { outlet: id, fault: "crc-noise" })}${b("Meter OK", "meter-fault", { outlet: id, fault: "none" })}${b("Hot (75 °C)", "outlet-temperature", { outlet: id, tempC: 75 })}</div>`;
    })
    .join("");
  const cab = sim.cabinet
    ? `<div>Cabinet: ${b("Put my battery in the open slot", "deposit", { socPct: 15 })}${b("Take the battery from the open slot", "take", {})}${b("Thermal runaway in slot 3", "thermal-runaway", { slot: 3 })}${b("Jam slot 2's door", "jam-slot", { slot: 2, jammed: true })}${b("Cabinet smoke", "cabinet-smoke", { active: true })}</div>`
    : "";
  return `<section id="simPower" style="margin-top:16px">
  <h2>Simulator: outlets and cabinet</h2>
  ${rows}${cab}
  <div>${b("Smoke at the I/O board", "smoke", { active: true })}${b("Smoke cleared", "smoke", { active: false })}</div>
</section>
<script>
document.querySelectorAll("[data-simp]").forEach((el) => {
  el.onclick = () => fetch("/api/sim-power/" + el.dataset.simp, { method: "POST", headers: { "content-type": "application/json" }, body: el.dataset.args });
});
</script>`;
}
