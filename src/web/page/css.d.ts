/** Stylesheets are bundled as text (esbuild's text loader) and inserted by the page. */
declare module '*.css' {
  const text: string;
  export default text;
}
