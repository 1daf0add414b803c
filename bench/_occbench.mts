import { benchOccupancy } from "./occupancy.ts";
import { printTable } from "./report.ts";

const r = await benchOccupancy(Number(process.argv[2] ?? 1000), true);
console.log(typeof r === "string" ? r : printTable(r));
