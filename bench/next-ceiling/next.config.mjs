/** The ceiling app: bench/next-ceiling.ts copies this folder out of the project (with the project's node_modules hard-linked) and builds it there. */
const nextConfig = { poweredByHeader: false };

export default nextConfig;
