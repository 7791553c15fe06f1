/** Retries an assertion until it passes or the deadline passes (then throws its last failure). */
export async function eventually(
  assertion: () => unknown | Promise<unknown>,
  timeoutMs = 5000,
  everyMs = 50,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
