export default function Home() {
  return (
    <main className="mx-auto max-w-2xl px-6 py-16">
      <h1 className="text-2xl font-semibold">MixPay broker</h1>
      <p className="mt-4 text-zinc-600 dark:text-zinc-400">
        This server plugs a wallet payment method into the MixPay checkout. MixPay calls{" "}
        <code className="rounded bg-zinc-200 px-1 dark:bg-zinc-800">GET /mixpay/assets/range</code> and{" "}
        <code className="rounded bg-zinc-200 px-1 dark:bg-zinc-800">POST /mixpay/create_order</code>; end users pay at
        the wallet; the broker settles to MixPay over Mixin.
      </p>
    </main>
  );
}
