"use client";

/** A console page that failed: say so, keep the navigation, offer to try again. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div
      role="alert"
      className="rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
    >
      <h1 className="font-semibold">This page could not be loaded.</h1>
      <p className="mt-1">{error.message || "An unexpected error occurred."}</p>
      {error.digest && <p className="mt-1 text-xs opacity-70">Reference {error.digest}</p>}
      <button
        type="button"
        onClick={reset}
        className="mt-3 rounded-md border border-red-400 px-3 py-1 hover:bg-red-100 focus-visible:outline-2 dark:hover:bg-red-900"
      >
        Try again
      </button>
    </div>
  );
}
