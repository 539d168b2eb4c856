/** Bad input to a command: the message names the key or option, what was expected and what was found (exit 2). */
export class InputError extends Error {}
