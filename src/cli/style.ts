/** Terminal colours, off when the output is not a terminal or NO_COLOR is set. */
import pc from "picocolors";

const on = process.stdout.isTTY === true && !process.env.NO_COLOR;
const c = pc.createColors(on);

export const style = {
  green: c.green,
  red: c.red,
  yellow: c.yellow,
  bold: c.bold,
  dim: c.dim,
};
