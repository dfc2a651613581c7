import { render } from 'preact';
import { App } from './ui/app';
import './styles.css';

performance.mark('flock:start');
render(<App />, document.getElementById('app')!);
