#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { Seed003Stack } from '../lib/seed003-stack';

const app = new cdk.App();
new Seed003Stack(app, 'Seed003Stack');
