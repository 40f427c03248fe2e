// vega-lite publishes its types through `exports` only, which this project's `node`
// module resolution does not read; point the bare name at them.
declare module 'vega-lite' {
  export * from 'vega-lite/build/index';
}
