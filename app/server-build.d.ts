// The React Router server build, made by `react-router build` before app/build.mjs bundles app/worker.ts.
declare module "*/build/server/index.js" {
  const value: unknown;
  export default value;
}
