/** Text imports embedded by Bun (`import x from './f.sql' with { type: 'text' }`). */
declare module '*.sql' {
  const text: string;
  export default text;
}
declare module '*.html' {
  const text: string;
  export default text;
}
